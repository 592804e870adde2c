//! Consistency checks of the catalogue tables, and spot checks of entries against the facts of
//! Kapacitor 1.5.7 (shared/reference/kapacitor.md and its `pipeline/*.go`).

use super::*;
use std::collections::HashSet;

/// The first name that occurs twice, if any.
fn duplicate<'a>(names: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let mut seen = HashSet::new();
    names.into_iter().find(|name| !seen.insert(*name))
}

fn signatures() -> impl Iterator<Item = (String, Signature)> {
    let node_args = NODES.iter().map(|n| (format!("|{}()", n.name), n.args));
    let handler_args = HANDLERS.iter().map(|h| (format!(".{}()", h.name), h.args));
    let node_props = NODES
        .iter()
        .flat_map(|n| n.properties.iter().map(move |p| (format!("{}.{}()", n.name, p.name), p.sig)));
    let handler_props = HANDLERS
        .iter()
        .flat_map(|h| h.properties.iter().map(move |p| (format!("{}.{}()", h.name, p.name), p.sig)));
    node_args.chain(handler_args).chain(node_props).chain(handler_props)
}

fn prop(node_name: &str, prop_name: &str) -> &'static PropertySpec {
    let node = node(node_name).unwrap_or_else(|| panic!("no node {node_name}"));
    property(node, prop_name).unwrap_or_else(|| panic!("no property {node_name}.{prop_name}"))
}

fn handler_prop(handler_name: &str, prop_name: &str) -> &'static PropertySpec {
    let handler = handler(handler_name).unwrap_or_else(|| panic!("no handler {handler_name}"));
    handler
        .properties
        .iter()
        .find(|p| p.name == prop_name)
        .unwrap_or_else(|| panic!("no property {handler_name}.{prop_name}"))
}

fn param_types(sig: &Signature) -> Vec<ArgType> {
    sig.params.iter().map(|p| p.ty).collect()
}

#[test]
fn names_are_unique_in_each_table() {
    assert_eq!(duplicate(NODES.iter().map(|n| n.name)), None);
    assert_eq!(duplicate(HANDLERS.iter().map(|h| h.name)), None);
    assert_eq!(duplicate(FUNCTIONS.iter().map(|f| f.name)), None);
}

#[test]
fn property_names_are_unique_per_node_and_handler() {
    for n in NODES {
        let names = n.properties.iter().chain(COMMON_PROPERTIES).map(|p| p.name);
        assert_eq!(duplicate(names), None, "in node {}", n.name);
    }
    for h in HANDLERS {
        assert_eq!(duplicate(h.properties.iter().map(|p| p.name)), None, "in handler {}", h.name);
    }
}

#[test]
fn handlers_do_not_collide_with_properties_of_the_nodes_that_have_them() {
    for n in NODES.iter().filter(|n| n.has_handlers) {
        for h in HANDLERS {
            assert!(property(n, h.name).is_none(), "{}.{} is both", n.name, h.name);
        }
    }
}

#[test]
fn named_parents_exist() {
    for n in NODES {
        if let Parents::Only(names) = n.parents {
            for parent in names {
                assert!(node(parent).is_some(), "{} names unknown parent {parent}", n.name);
            }
        }
    }
}

#[test]
fn only_roots_want_nothing() {
    for n in NODES {
        let is_root = n.family == NodeFamily::Source;
        assert_eq!(n.wants == Wants::Nothing, is_root, "{}", n.name);
        assert_eq!(n.parents == Parents::Only(&[]), is_root, "{}", n.name);
    }
}

#[test]
fn optional_params_are_trailing_and_exclude_rest() {
    for (what, sig) in signatures() {
        let first_optional = sig.params.iter().position(|p| p.optional);
        if let Some(i) = first_optional {
            assert!(sig.params[i..].iter().all(|p| p.optional), "{what}: optional before required");
            assert!(sig.rest.is_none(), "{what}: optional params and rest are ambiguous");
        }
        assert!(sig.max_args().is_none_or(|max| max >= sig.min_args()), "{what}");
    }
}

#[test]
fn every_function_has_a_signature_of_distinct_argument_lists() {
    for f in FUNCTIONS {
        assert!(!f.sigs.is_empty(), "{} has no signature", f.name);
        let domains: HashSet<_> = f.sigs.iter().map(|s| s.args).collect();
        assert_eq!(domains.len(), f.sigs.len(), "{} repeats an argument list", f.name);
    }
}

#[test]
fn docs_are_one_short_line() {
    let docs = NODES
        .iter()
        .map(|n| n.doc)
        .chain(HANDLERS.iter().map(|h| h.doc))
        .chain(FUNCTIONS.iter().map(|f| f.doc))
        .chain(NODES.iter().flat_map(|n| n.properties.iter().map(|p| p.doc)))
        .chain(HANDLERS.iter().flat_map(|h| h.properties.iter().map(|p| p.doc)));
    for doc in docs {
        assert!(!doc.is_empty() && !doc.contains('\n') && doc.len() <= 100, "{doc:?}");
    }
}

#[test]
fn chain_nodes_follow_chain_nodes_only() {
    let stream = node("stream").unwrap();
    let batch = node("batch").unwrap();
    let influxdb_out = node("influxDBOut").unwrap();
    let window = node("window").unwrap();
    assert!(node("from").unwrap().may_follow(stream));
    assert!(node("from").unwrap().may_follow(node("from").unwrap()));
    assert!(!node("from").unwrap().may_follow(window));
    assert!(node("query").unwrap().may_follow(batch));
    assert!(!window.may_follow(stream));
    assert!(!window.may_follow(influxdb_out));
    assert!(window.may_follow(node("from").unwrap()));
    for any in ["stats", "deadman"] {
        assert!(node(any).unwrap().may_follow(stream), "{any}");
        assert!(node(any).unwrap().may_follow(influxdb_out), "{any}");
    }
}

#[test]
fn edges_match_kapacitor() {
    let edges = |name: &str| node(name).map(|n| (n.wants, n.provides));
    assert_eq!(edges("window"), Some((Wants::Stream, Provides::Batch)));
    assert_eq!(edges("trickle"), Some((Wants::Batch, Provides::Stream)));
    assert_eq!(edges("combine"), Some((Wants::Any, Provides::Stream)));
    assert_eq!(edges("influxDBOut"), Some((Wants::Any, Provides::Nothing)));
    assert_eq!(edges("kapacitorLoopback"), Some((Wants::Any, Provides::Nothing)));
    for name in ["count", "mean", "percentile", "first"] {
        assert_eq!(edges(name), Some((Wants::Any, Provides::Stream)), "{name}");
    }
    for name in ["distinct", "top", "bottom", "holtWinters", "holtWintersWithFit"] {
        assert_eq!(edges(name), Some((Wants::Any, Provides::Batch)), "{name}");
    }
    for name in ["elapsed", "difference", "movingAverage", "cumulativeSum"] {
        assert_eq!(edges(name), Some((Wants::Any, Provides::SameAsInput)), "{name}");
    }
    let influxql = NODES.iter().filter(|n| n.family == NodeFamily::InfluxQl).count();
    assert_eq!(influxql, 21);
}

#[test]
fn dot_names_match_kapacitor() {
    let desc = |name: &str| node(name).map(|n| n.desc);
    assert_eq!(desc("httpOut"), Some("http_out"));
    assert_eq!(desc("groupBy"), Some("groupby"));
    assert_eq!(desc("stateDuration"), Some("state_duration"));
    assert_eq!(desc("influxDBOut"), Some("influxdb_out"));
    assert_eq!(desc("holtWintersWithFit"), Some("holtWinters"));
    assert_eq!(desc("movingAverage"), Some("movingAverage"));
}

#[test]
fn node_arguments_match_kapacitor() {
    let args = |name: &str| node(name).map(|n| (param_types(&n.args), n.args.rest));
    assert_eq!(args("percentile"), Some((vec![ArgType::String, ArgType::Float], None)));
    assert_eq!(args("top"), Some((vec![ArgType::Int, ArgType::String], Some(ArgType::String))));
    assert_eq!(args("deadman"), Some((vec![ArgType::Float, ArgType::Duration], Some(ArgType::Lambda))));
    assert_eq!(args("join"), Some((vec![], Some(ArgType::Node))));
    assert_eq!(args("sample"), Some((vec![ArgType::IntOrDuration], None)));
    let http_post = node("httpPost").unwrap().args;
    assert_eq!((http_post.min_args(), http_post.max_args()), (0, Some(1)));
}

#[test]
fn properties_match_kapacitor() {
    assert_eq!(prop("from", "where").repeat, Repeat::Accumulate);
    assert_eq!(prop("from", "where").sig, Signature::single(ArgType::Lambda));
    assert_eq!(prop("groupBy", "exclude").sig.rest, Some(ArgType::String));
    assert_eq!(prop("query", "groupBy").sig.rest, Some(ArgType::Dimension));
    assert_eq!(prop("eval", "keep").sig.min_args(), 0);
    assert_eq!(prop("httpPost", "header").repeat, Repeat::Accumulate);
    assert_eq!(prop("default", "field").sig.params[1].ty, ArgType::Scalar);
    assert_eq!(prop("window", "periodCount").sig, Signature::single(ArgType::Int));
    assert_eq!(prop("alert", "stateChangesOnly").sig.min_args(), 0);
    assert_eq!(param_types(&prop("alert", "flapping").sig), [ArgType::Float, ArgType::Float]);
    assert_eq!(prop("join", "deleteAll").since, Since::V1_6);
    assert_eq!(prop("window", "quiet").sig, Signature::NONE);
    for name in ["as", "usePointTimes"] {
        assert!(property(node("mean").unwrap(), name).is_some(), "mean.{name}");
    }
}

#[test]
fn alert_and_deadman_have_handlers() {
    for name in ["alert", "deadman"] {
        let n = node(name).unwrap();
        assert!(n.has_handlers, "{name}");
        assert!(property(n, "crit").is_some(), "{name}.crit");
    }
    assert!(!node("window").unwrap().has_handlers);
    assert!(handler_prop("slack", "channel").sig == Signature::single(ArgType::String));
    assert_eq!(handler("log").map(|h| param_types(&h.args)), Some(vec![ArgType::String]));
    assert_eq!(handler("exec").and_then(|h| h.args.rest), Some(ArgType::String));
    assert_eq!(handler_prop("pushover", "uRLTitle").sig, Signature::single(ArgType::String));
    assert_eq!(handler_prop("teams", "channelURL").sig, Signature::single(ArgType::String));
    assert_eq!(handler_prop("email", "to").repeat, Repeat::Accumulate);
    assert_eq!(handler_prop("log", "mode").sig, Signature::single(ArgType::Int));
    assert_eq!(handler_prop("pagerDuty2", "link").sig.min_args(), 1);
    assert_eq!(handler("zenoss").map(|h| h.since), Some(Since::V1_6));
}

#[test]
fn functions_match_kapacitor() {
    use ValueType as V;
    let sigs = |name: &str| function(name).map(|f| f.sigs.to_vec()).unwrap_or_default();
    assert_eq!(
        sigs("strSubstring"),
        vec![FunctionSig { args: &[V::String, V::Int, V::Int], returns: V::String }]
    );
    assert!(function("sigma").unwrap().stateful);
    assert!(!function("sqrt").unwrap().stateful);
    assert!(sigs("sqrt").iter().all(|s| s.args == [V::Float]));
    assert!(sigs("isPresent").iter().any(|s| s.args == [V::Missing]));
    assert!(!sigs("duration").iter().any(|s| s.args == [V::String]));
    let if_sigs = sigs("if");
    assert_eq!(if_sigs.len(), 7);
    assert!(if_sigs.iter().all(|s| s.args == [V::Bool, s.returns, s.returns]));
    assert_eq!(function("rand").map(|f| f.since), Some(Since::V1_6));
}

#[test]
fn did_you_mean_finds_catalogue_names() {
    let nodes = || NODES.iter().map(|n| n.name);
    assert_eq!(did_you_mean("windw", nodes()), Some("window"));
    assert_eq!(did_you_mean("httpout", nodes()), Some("httpOut"));
    assert_eq!(did_you_mean("zzzz", nodes()), None);
}
