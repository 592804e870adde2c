//! Templates that only join text and top-level fields of their data (Kapacitor's default
//! message, `{{ .ID }} is {{ .Level }}`), seen as that list of pieces so a caller can render
//! them from the fields' values without building the data or walking the template.

use super::ast::{ArgKind, Node, Pipe};
use super::{Flavor, Template};

/// A piece of a flat template.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum FlatPiece<'t> {
    /// Written as it is.
    Text(&'t str),
    /// `{{ .Name }}`: the data's field `Name`, printed.
    Field(&'t str),
}

impl Template {
    /// The template as text and top-level fields, when that is all it is: a text/template
    /// whose every action prints one field of dot (no variables, pipes, functions or control
    /// structures). A field that holds a string prints as that string, so a caller with the
    /// strings at hand renders such a template by joining them; `None` for any other template.
    pub(crate) fn flat(&self) -> Option<Vec<FlatPiece<'_>>> {
        if self.flavor != Flavor::Text {
            return None;
        }
        self.root
            .0
            .iter()
            .map(|node| match node {
                Node::Text(text) => Some(FlatPiece::Text(text)),
                Node::Action(pipe) => printed_field(pipe).map(FlatPiece::Field),
                Node::Control(_) => None,
            })
            .collect()
    }
}

/// The field an action prints when it prints one field of dot and nothing else (`{{ .ID }}`).
fn printed_field(pipe: &Pipe) -> Option<&str> {
    let [command] = pipe.cmds.as_slice() else { return None };
    let [arg] = command.args.as_slice() else { return None };
    let ArgKind::Field(path) = &arg.kind else { return None };
    let [name] = path.as_slice() else { return None };
    // An action that declares a variable prints nothing.
    pipe.decl.is_empty().then_some(name.as_str())
}

#[cfg(test)]
mod tests {
    use super::FlatPiece::{Field, Text};
    use super::*;

    fn flat(src: &str) -> Option<Vec<FlatPiece<'static>>> {
        let template = Box::leak(Box::new(Template::parse(src).unwrap()));
        template.flat()
    }

    #[test]
    fn text_and_top_level_fields_are_flat() {
        assert_eq!(flat("{{ .ID }} is {{ .Level }}"), Some(vec![Field("ID"), Text(" is "), Field("Level")]));
        assert_eq!(flat("{{.Name}}:{{- .Group -}} !"), Some(vec![Field("Name"), Text(":"), Field("Group"), Text("!")]));
        assert_eq!(flat("plain"), Some(vec![Text("plain")]));
        assert_eq!(flat(""), Some(vec![]));
    }

    #[test]
    fn anything_else_is_not() {
        for src in [
            "{{ .Tags.host }}",
            "{{ . }}",
            "{{ $x := .ID }}",
            "{{ .ID | printf \"%q\" }}",
            "{{ printf \"%s\" .ID }}",
            "{{ if .ID }}x{{ end }}",
            "{{ \"text\" }}",
            "{{ $.ID }}",
            "{{ (.ID) }}",
        ] {
            assert_eq!(flat(src), None, "{src}");
        }
        let html = Template::parse_html("{{ .ID }}").unwrap();
        assert_eq!(html.flat(), None, "html escapes what it prints");
    }
}
