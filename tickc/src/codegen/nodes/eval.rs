//! `|eval(lambda...)`: the runtime's `EvalNode` over the compiled expressions, with the
//! `.as()`, `.tags()` and `.keep()` names. The expressions are a tuple, for which the runtime
//! implements its `Expressions` list up to twelve; a longer list gets its own generated type.

use proc_macro2::{Literal, TokenStream};
use quote::{format_ident, quote};

use super::{NodeCode, node_lambda, properties};
use crate::codegen::lambda::LambdaCode;
use crate::codegen::literal;
use crate::diagnostic::Diagnostic;
use crate::ir::Node;

/// The longest tuple the runtime implements `Expressions` for.
const MAX_TUPLE: usize = 12;

pub(super) fn generate(node: &Node) -> Result<NodeCode, Box<Diagnostic>> {
    let codes = properties::lambda_args(node)
        .iter()
        .enumerate()
        .map(|(i, lambda)| node_lambda(node, &format!("expr{i}"), lambda))
        .collect::<Result<Vec<_>, _>>()?;
    let (expressions_ty, expressions_init, expressions_items) = expressions(node, &codes);
    let names = node
        .property("as")
        .map(|p| properties::strings(&p.args))
        .unwrap_or_default();
    let tags: Vec<&str> = node
        .properties_named("tags")
        .flat_map(|p| properties::strings(&p.args))
        .collect();
    let keep = match node.property("keep") {
        None => quote!(rt::Keep::NewFields),
        Some(p) if p.args.is_empty() => quote!(rt::Keep::All),
        Some(p) => {
            let kept = properties::strings(&p.args);
            quote!(rt::Keep::Only(vec![#(String::from(#kept)),*]))
        }
    };
    let quiet = properties::flag(node, "quiet");
    let name = &node.name;
    let init = quote! {
        rt::valid(#name, rt::EvalNode::new(
            rt::EvalConfig {
                names: vec![#(String::from(#names)),*],
                tags: vec![#(String::from(#tags)),*],
                keep: #keep,
                quiet: #quiet,
            },
            #expressions_init,
        ))
    };
    let mut code = NodeCode::plain(quote!(rt::EvalNode<#expressions_ty>), init)
        .in_place()
        .with_lambdas(codes);
    code.items.extend(expressions_items);
    Ok(code)
}

/// The type and value of an expression list (eval's, combine's), and the items a long list
/// needs.
pub(super) fn expressions(
    node: &Node,
    codes: &[LambdaCode],
) -> (TokenStream, TokenStream, Option<TokenStream>) {
    let types: Vec<_> = codes.iter().map(|c| &c.ty).collect();
    let inits = codes.iter().map(|c| &c.init);
    if codes.len() <= MAX_TUPLE {
        return (quote!((#(#types,)*)), quote!((#(#inits,)*)), None);
    }
    let ty = format_ident!("{}Expressions", literal::camel(&node.name));
    let state = format_ident!("{}State", ty);
    let len = Literal::usize_unsuffixed(codes.len());
    let indices: Vec<Literal> = (0..codes.len()).map(Literal::usize_unsuffixed).collect();
    let items = quote! {
        pub struct #ty(#(#types),*);
        #[derive(Default)]
        pub struct #state(#(<#types as rt::Lambda>::State),*);
        impl rt::Expressions for #ty {
            type State = #state;
            const LEN: usize = #len;
            fn eval_field<S: rt::Scope + ?Sized>(
                &self,
                index: usize,
                scope: &S,
                state: &mut Self::State,
            ) -> Option<Result<rt::FieldValue, rt::EvalError>> {
                match index {
                    #(#indices => Some(rt::Lambda::eval(&self.#indices, scope, &mut state.#indices).and_then(rt::Value::into_field)),)*
                    _ => None,
                }
            }
        }
    };
    (quote!(#ty), quote!(#ty(#(#inits),*)), Some(items))
}
