//! What a template may read from its data, decided from its text before it ever runs.

use super::Template;
use super::ast::{Arg, ArgKind, List, Node, Pipe};

impl Template {
    /// Whether rendering may read the data's field `name` (at any depth). False only when no
    /// action can reach it: the name is never written and the data is never handed on whole
    /// (`.` or `$` alone), so callers may skip work the template cannot see.
    pub fn may_read(&self, name: &str) -> bool {
        list_reads(&self.root, name)
    }
}

fn list_reads(list: &List, name: &str) -> bool {
    list.0.iter().any(|node| match node {
        Node::Text(_) => false,
        Node::Action(pipe) => pipe_reads(pipe, name),
        Node::Control(control) => {
            pipe_reads(&control.pipe, name)
                || list_reads(&control.body, name)
                || control.otherwise.as_ref().is_some_and(|list| list_reads(list, name))
        }
    })
}

fn pipe_reads(pipe: &Pipe, name: &str) -> bool {
    pipe.cmds.iter().flat_map(|cmd| &cmd.args).any(|arg| arg_reads(arg, name))
}

fn arg_reads(arg: &Arg, name: &str) -> bool {
    let names = |path: &[String]| path.iter().any(|field| field == name);
    match &arg.kind {
        ArgKind::Field(path) => names(path),
        ArgKind::Variable(_, path) => path.is_empty() || names(path),
        ArgKind::Chain(inner, path) => arg_reads(inner, name) || names(path),
        ArgKind::Dot => true,
        ArgKind::Pipe(pipe) => pipe_reads(pipe, name),
        ArgKind::Nil | ArgKind::Bool(_) | ArgKind::Number(_) | ArgKind::String(_) | ArgKind::Func(_) => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reads_tags(src: &str) -> bool {
        Template::parse(src).unwrap().may_read("Tags")
    }

    #[test]
    fn sees_every_way_to_reach_a_field() {
        assert!(!reads_tags("{{ .Name }}:{{ .Group }}"));
        assert!(!reads_tags("plain text"));
        assert!(!reads_tags(r#"{{ if eq .Name "cpu" }}x{{ end }}"#));
        assert!(reads_tags(r#"{{ index .Tags "host" }}"#));
        assert!(reads_tags("{{ .Tags.host }}"));
        assert!(reads_tags("{{ with .Tags }}{{ .host }}{{ end }}"));
        assert!(reads_tags(r#"{{ if .Name }}{{ else }}{{ index .Tags "a" }}{{ end }}"#));
        assert!(reads_tags("{{ range $k, $v := .Tags }}{{ $k }}{{ end }}"));
        assert!(reads_tags("{{ printf \"%v\" . }}"));
        assert!(reads_tags("{{ $x := . }}{{ $x.Name }}"));
        assert!(reads_tags("{{ (print .Tags).x }}"));
    }
}
