//! Lambdas: each typed expression becomes a struct implementing the runtime's `Lambda`, whose
//! `eval` is the expression written out as Rust calls into the runtime's expression library.
//!
//! Nothing is interpreted at run time: references, operators and functions are resolved here,
//! regex literals are compiled once into fields of the struct, and the stateful functions
//! (sigma, count, spread, rand) get one slot each in the lambda's `State` type, which the node
//! keeps per group where Kapacitor does. Static knowledge is used where it is free: a comparison,
//! `AND`, `OR` or `!` over them yield a plain `bool` (no value is built), `AND`/`OR` short-circuit
//! as in Kapacitor, and a negated number literal is a literal.

use proc_macro2::{Ident, TokenStream};
use quote::{format_ident, quote};

use super::literal;
use crate::ast::{BinaryOp, UnaryOp};
use crate::diagnostic::Diagnostic;
use crate::ir::{Lambda, TypedExpr, TypedExprKind};

/// The code of one lambda: its items and how to build an instance.
#[derive(Debug, Clone)]
pub(super) struct LambdaCode {
    pub ty: Ident,
    /// The struct, its `State` when it has stateful functions, and the `Lambda` impl.
    pub items: TokenStream,
    /// An expression building the lambda (compiling its regexes).
    pub init: TokenStream,
}

/// Compiles `lambda` into a type named `ty`; `node` names the node in the message of a regex
/// the runtime would refuse (which the checker has already ruled out).
pub(super) fn compile(
    ty: Ident,
    node: &str,
    lambda: &Lambda,
) -> Result<LambdaCode, Box<Diagnostic>> {
    let mut writer = Writer::default();
    let body = &lambda.body;
    let value = writer.value(body)?.into_result();
    let predicate = writer.test(body)?.map(Test::into_result);

    let state_ty = format_ident!("{}State", ty);
    let (state_item, state_assoc) = if writer.slots.is_empty() {
        (quote!(), quote!(()))
    } else {
        let names = writer.slots.iter().enumerate().map(|(i, _)| slot_ident(i));
        let types = &writer.slots;
        (
            quote! {
                #[derive(Debug, Default)]
                pub struct #state_ty { #(#names: rt::#types,)* }
            },
            quote!(#state_ty),
        )
    };
    let scope = if writer.uses_scope {
        quote!(scope)
    } else {
        quote!(_scope)
    };
    let state = if writer.slots.is_empty() {
        quote!(_state)
    } else {
        quote!(state)
    };
    let test = predicate.map(|predicate| {
        quote! {
            fn test<S: rt::Scope + ?Sized>(&self, #scope: &S, #state: &mut Self::State) -> Result<bool, rt::EvalError> {
                #predicate
            }
        }
    });

    let regex_fields: Vec<Ident> = (0..writer.regexes.len()).map(regex_ident).collect();
    let (definition, init) = if writer.regexes.is_empty() {
        (quote!(pub struct #ty;), quote!(#ty))
    } else {
        let patterns = &writer.regexes;
        (
            quote!(pub struct #ty { #(#regex_fields: rt::Regex,)* }),
            quote!(#ty { #(#regex_fields: rt::valid(#node, rt::compile_regex(#patterns)),)* }),
        )
    };
    let items = quote! {
        #definition
        #state_item
        impl rt::Lambda for #ty {
            type State = #state_assoc;
            fn eval<'a, S: rt::Scope + ?Sized>(&'a self, #scope: &'a S, #state: &mut Self::State) -> Result<rt::Value<'a>, rt::EvalError> {
                #value
            }
            #test
        }
    };
    Ok(LambdaCode { ty, items, init })
}

fn slot_ident(slot: usize) -> Ident {
    format_ident!("slot{}", slot)
}

fn regex_ident(index: usize) -> Ident {
    format_ident!("regex{}", index)
}

/// An expression of type `Result<Value, EvalError>` (`fallible`) or of type `Value`.
struct Code {
    tokens: TokenStream,
    fallible: bool,
}

impl Code {
    fn value(tokens: TokenStream) -> Code {
        Code {
            tokens,
            fallible: false,
        }
    }

    fn fallible(tokens: TokenStream) -> Code {
        Code {
            tokens,
            fallible: true,
        }
    }

    /// As a `Value` operand (propagating the error).
    fn into_value(self) -> TokenStream {
        let tokens = self.tokens;
        if self.fallible {
            quote!(#tokens?)
        } else {
            tokens
        }
    }

    /// As the `Result` an `eval` returns.
    fn into_result(self) -> TokenStream {
        let tokens = self.tokens;
        if self.fallible {
            tokens
        } else {
            quote!(Ok(#tokens))
        }
    }
}

/// An expression of type `bool` (or `Result<bool, EvalError>` when `fallible`), and its
/// operator when it is an `&&` or `||` chain (which needs parentheses inside a tighter one).
struct Test {
    tokens: TokenStream,
    logical: Option<BinaryOp>,
    fallible: bool,
}

impl Test {
    fn operand(tokens: TokenStream) -> Test {
        Test {
            tokens,
            logical: None,
            fallible: false,
        }
    }

    fn fallible(tokens: TokenStream) -> Test {
        Test {
            tokens,
            logical: None,
            fallible: true,
        }
    }

    /// The tokens as a `bool` operand of `!` (`within` None) or of `&&`/`||`: the error
    /// propagated, parenthesized where Rust's precedence would otherwise regroup them.
    fn grouped(self, within: Option<BinaryOp>) -> TokenStream {
        let tokens = self.tokens;
        if self.fallible {
            return quote!(#tokens?);
        }
        match (self.logical, within) {
            (None, _)
            | (Some(BinaryOp::And), Some(_))
            | (Some(BinaryOp::Or), Some(BinaryOp::Or)) => tokens,
            _ => quote!((#tokens)),
        }
    }

    /// As the `Result<bool, _>` a `test` returns.
    fn into_result(self) -> TokenStream {
        let tokens = self.tokens;
        if self.fallible {
            tokens
        } else {
            quote!(Ok(#tokens))
        }
    }

    /// As a `Value`.
    fn into_value(self) -> Code {
        let tokens = self.tokens;
        if self.fallible {
            Code::fallible(quote!(#tokens.map(rt::Value::Bool)))
        } else {
            Code::value(quote!(rt::Value::Bool(#tokens)))
        }
    }
}

/// What writing one lambda collects besides its expression.
#[derive(Default)]
struct Writer {
    /// Regex sources, one field each (a pattern used twice shares its field).
    regexes: Vec<String>,
    /// The runtime type of each state slot, in slot order.
    slots: Vec<Ident>,
    uses_scope: bool,
}

impl Writer {
    fn value(&mut self, expr: &TypedExpr) -> Result<Code, Box<Diagnostic>> {
        Ok(match &expr.kind {
            TypedExprKind::Int(v) => {
                let v = literal::int(*v);
                Code::value(quote!(rt::Value::Int(#v)))
            }
            TypedExprKind::Float(v) => {
                let v = literal::float(*v);
                Code::value(quote!(rt::Value::Float(#v)))
            }
            TypedExprKind::Duration(v) => {
                let v = literal::int(*v);
                Code::value(quote!(rt::Value::Duration(#v)))
            }
            TypedExprKind::String(s) => Code::value(quote!(rt::Value::str(#s))),
            TypedExprKind::Bool(b) => Code::value(quote!(rt::Value::Bool(#b))),
            TypedExprKind::Regex(pattern) => {
                let field = regex_ident(self.regex(pattern));
                Code::value(quote!(rt::Value::Regex(&self.#field)))
            }
            TypedExprKind::Reference(name) => {
                self.uses_scope = true;
                Code::fallible(quote!(rt::reference(scope, #name)))
            }
            TypedExprKind::Unary {
                op: UnaryOp::Neg,
                operand,
            } => match negated_literal(operand) {
                Some(folded) => self.value(&folded)?,
                None => {
                    let operand = self.value(operand)?.into_value();
                    Code::fallible(quote!(rt::unary(rt::UnaryOp::Neg, #operand)))
                }
            },
            TypedExprKind::Unary {
                op: UnaryOp::Not,
                operand,
            } => match self.test(operand)? {
                Some(operand) => {
                    let operand = operand.grouped(None);
                    Code::value(quote!(rt::Value::Bool(!#operand)))
                }
                None => {
                    let operand = self.value(operand)?.into_value();
                    Code::fallible(quote!(rt::unary(rt::UnaryOp::Not, #operand)))
                }
            },
            TypedExprKind::Binary { op, lhs, rhs } if is_arithmetic(*op) => {
                let op = runtime_op(*op);
                let lhs = self.value(lhs)?.into_value();
                let rhs = self.value(rhs)?.into_value();
                Code::fallible(quote!(rt::binary(#op, #lhs, #rhs)))
            }
            TypedExprKind::Binary { .. } => match self.test(expr)? {
                Some(test) => test.into_value(),
                None => unreachable_boolean(expr)?,
            },
            TypedExprKind::Call {
                function,
                args,
                state_slot,
            } => {
                let args = self.arguments(args)?;
                match state_slot {
                    Some(slot) => {
                        let Some(ty) = stateful_type(function.name) else {
                            return Err(unsupported_function(function.name, expr));
                        };
                        if self.slots.len() <= *slot {
                            self.slots.resize(*slot + 1, ty.clone());
                        }
                        if let Some(entry) = self.slots.get_mut(*slot) {
                            *entry = ty;
                        }
                        let slot = slot_ident(*slot);
                        Code::fallible(quote!(state.#slot.call(&[#(#args),*])))
                    }
                    None => {
                        let function = format_ident!("{}", literal::upper_snake(function.name));
                        Code::fallible(quote!(rt::functions::#function.call(&[#(#args),*])))
                    }
                }
            }
            TypedExprKind::UnknownCall { name, args } => {
                // Kapacitor evaluates the arguments (their errors come first, and stateful
                // functions among them advance) before it finds the function undefined.
                let args = self.arguments(args)?;
                let error = quote!(Err::<rt::Value, _>(rt::EvalError::UndefinedFunction { name: String::from(#name) }));
                if args.is_empty() {
                    Code::fallible(error)
                } else {
                    Code::fallible(quote!({
                        let _ = [#(#args),*];
                        #error
                    }))
                }
            }
        })
    }

    fn arguments(&mut self, args: &[TypedExpr]) -> Result<Vec<TokenStream>, Box<Diagnostic>> {
        args.iter()
            .map(|arg| Ok(self.value(arg)?.into_value()))
            .collect()
    }

    /// The expression as a `bool`, when its shape makes it one without building a value:
    /// comparisons, regex matches, `AND`, `OR`, `!` over those, and bool literals.
    fn test(&mut self, expr: &TypedExpr) -> Result<Option<Test>, Box<Diagnostic>> {
        Ok(Some(match &expr.kind {
            TypedExprKind::Bool(b) => Test::operand(quote!(#b)),
            TypedExprKind::Unary {
                op: UnaryOp::Not,
                operand,
            } => match self.test(operand)? {
                Some(operand) => {
                    let operand = operand.grouped(None);
                    Test::operand(quote!(!#operand))
                }
                None => return Ok(None),
            },
            TypedExprKind::Binary {
                op: op @ (BinaryOp::And | BinaryOp::Or),
                lhs,
                rhs,
            } => {
                let lhs = self.logical_operand(*op, lhs, quote!(Left))?;
                let rhs = self.logical_operand(*op, rhs, quote!(Right))?;
                // Rust's `&&` and `||` skip the right side exactly when Kapacitor does.
                let tokens = if *op == BinaryOp::And {
                    quote!(#lhs && #rhs)
                } else {
                    quote!(#lhs || #rhs)
                };
                Test {
                    tokens,
                    logical: Some(*op),
                    fallible: false,
                }
            }
            TypedExprKind::Binary { op, lhs, rhs } if !is_arithmetic(*op) => {
                let op = runtime_op(*op);
                let lhs = self.value(lhs)?.into_value();
                let rhs = self.value(rhs)?.into_value();
                Test::fallible(quote!(rt::predicate(#op, &#lhs, &#rhs)))
            }
            _ => return Ok(None),
        }))
    }

    /// One side of `AND`/`OR` as a `bool`; a side that is not a bool fails as Kapacitor words it.
    fn logical_operand(
        &mut self,
        op: BinaryOp,
        side: &TypedExpr,
        which: TokenStream,
    ) -> Result<TokenStream, Box<Diagnostic>> {
        if let Some(test) = self.test(side)? {
            return Ok(test.grouped(Some(op)));
        }
        let op = runtime_op(op);
        let value = self.value(side)?.into_value();
        Ok(quote!(rt::logical_operand(#op, rt::Side::#which, &#value)?))
    }

    fn regex(&mut self, pattern: &str) -> usize {
        match self.regexes.iter().position(|p| p == pattern) {
            Some(index) => index,
            None => {
                self.regexes.push(pattern.to_owned());
                self.regexes.len() - 1
            }
        }
    }
}

/// `-5`, `-1.5`, `-1m` as literals, as a reader means them.
fn negated_literal(operand: &TypedExpr) -> Option<TypedExpr> {
    let kind = match operand.kind {
        TypedExprKind::Int(v) => TypedExprKind::Int(v.wrapping_neg()),
        TypedExprKind::Float(v) => TypedExprKind::Float(-v),
        TypedExprKind::Duration(v) => TypedExprKind::Duration(v.wrapping_neg()),
        _ => return None,
    };
    Some(TypedExpr {
        kind,
        ..operand.clone()
    })
}

fn is_arithmetic(op: BinaryOp) -> bool {
    matches!(
        op,
        BinaryOp::Add | BinaryOp::Sub | BinaryOp::Mul | BinaryOp::Div | BinaryOp::Mod
    )
}

fn runtime_op(op: BinaryOp) -> TokenStream {
    let variant = match op {
        BinaryOp::Add => quote!(Add),
        BinaryOp::Sub => quote!(Sub),
        BinaryOp::Mul => quote!(Mul),
        BinaryOp::Div => quote!(Div),
        BinaryOp::Mod => quote!(Mod),
        BinaryOp::Eq => quote!(Eq),
        BinaryOp::Ne => quote!(Ne),
        BinaryOp::Lt => quote!(Lt),
        BinaryOp::Le => quote!(Le),
        BinaryOp::Gt => quote!(Gt),
        BinaryOp::Ge => quote!(Ge),
        BinaryOp::RegexMatch => quote!(RegexMatch),
        BinaryOp::RegexNotMatch => quote!(RegexNotMatch),
        BinaryOp::And => quote!(And),
        BinaryOp::Or => quote!(Or),
    };
    quote!(rt::BinaryOp::#variant)
}

/// The runtime's state type of a stateful function.
fn stateful_type(name: &str) -> Option<Ident> {
    let ty = match name {
        "sigma" => "Sigma",
        "count" => "Count",
        "spread" => "Spread",
        "rand" => "Rand",
        _ => return None,
    };
    Some(format_ident!("{}", ty))
}

fn unsupported_function(name: &str, expr: &TypedExpr) -> Box<Diagnostic> {
    Box::new(Diagnostic::error(
        "unsupported",
        expr.span,
        format!("the function `{name}` is not supported by tickc yet"),
    ))
}

/// Every comparison and logical operator has a boolean form; reaching this is a bug.
fn unreachable_boolean(expr: &TypedExpr) -> Result<Code, Box<Diagnostic>> {
    Err(Box::new(Diagnostic::error(
        "internal",
        expr.span,
        "tickc bug: an operator without a boolean form",
    )))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalogue;
    use crate::ir::StaticType;
    use crate::span::Span;

    fn expr(kind: TypedExprKind) -> TypedExpr {
        TypedExpr {
            kind,
            ty: StaticType::Dynamic,
            span: Span::default(),
        }
    }

    fn binary(op: BinaryOp, lhs: TypedExpr, rhs: TypedExpr) -> TypedExpr {
        expr(TypedExprKind::Binary {
            op,
            lhs: Box::new(lhs),
            rhs: Box::new(rhs),
        })
    }

    fn reference(name: &str) -> TypedExpr {
        expr(TypedExprKind::Reference(name.into()))
    }

    fn call(name: &str, args: Vec<TypedExpr>, state_slot: Option<usize>) -> TypedExpr {
        let function = catalogue::function(name).unwrap();
        expr(TypedExprKind::Call {
            function,
            args,
            state_slot,
        })
    }

    /// The lambda's items, formatted.
    fn render(body: TypedExpr) -> String {
        let lambda = Lambda {
            body,
            span: Span::default(),
        };
        let code = compile(format_ident!("Test"), "node1", &lambda).unwrap();
        let init = code.init;
        let items = code.items;
        let file: syn::File = syn::parse2(quote!(#items const INIT: Test = #init;)).unwrap();
        prettyplease::unparse(&file)
    }

    #[test]
    fn comparison_with_a_literal_is_a_predicate() {
        let body = binary(
            BinaryOp::Lt,
            reference("usage_idle"),
            expr(TypedExprKind::Int(70)),
        );
        insta::assert_snapshot!(render(body), @r#"
        pub struct Test;
        impl rt::Lambda for Test {
            type State = ();
            fn eval<'a, S: rt::Scope + ?Sized>(
                &'a self,
                scope: &'a S,
                _state: &mut Self::State,
            ) -> Result<rt::Value<'a>, rt::EvalError> {
                rt::predicate(
                        rt::BinaryOp::Lt,
                        &rt::reference(scope, "usage_idle")?,
                        &rt::Value::Int(70),
                    )
                    .map(rt::Value::Bool)
            }
            fn test<S: rt::Scope + ?Sized>(
                &self,
                scope: &S,
                _state: &mut Self::State,
            ) -> Result<bool, rt::EvalError> {
                rt::predicate(
                    rt::BinaryOp::Lt,
                    &rt::reference(scope, "usage_idle")?,
                    &rt::Value::Int(70),
                )
            }
        }
        const INIT: Test = Test;
        "#);
    }

    #[test]
    fn and_or_short_circuit_and_read_non_bools_as_operands() {
        let body = binary(
            BinaryOp::Or,
            binary(
                BinaryOp::And,
                reference("a"),
                binary(
                    BinaryOp::Gt,
                    reference("b"),
                    expr(TypedExprKind::Float(1.5)),
                ),
            ),
            expr(TypedExprKind::Unary {
                op: UnaryOp::Not,
                operand: Box::new(reference("c")),
            }),
        );
        let text = render(body)
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ");
        let and = "rt::logical_operand( rt::BinaryOp::And, rt::Side::Left, &rt::reference(scope, \"a\")?, )? \
            && rt::predicate( rt::BinaryOp::Gt, &rt::reference(scope, \"b\")?, &rt::Value::Float(1.5), )?";
        let or = "|| rt::logical_operand( rt::BinaryOp::Or, rt::Side::Right, \
            &rt::unary(rt::UnaryOp::Not, rt::reference(scope, \"c\")?)?, )?";
        assert!(
            text.contains(&format!("rt::Value::Bool( {and} {or}, )")),
            "{text}"
        );
        assert!(text.contains(&format!("Ok( {and} {or}, )")), "{text}");

        // An OR inside an AND, and a negated AND, keep their grouping.
        let compare = |name: &str| {
            binary(
                BinaryOp::Eq,
                reference(name),
                expr(TypedExprKind::Bool(true)),
            )
        };
        let not = |e: TypedExpr| {
            expr(TypedExprKind::Unary {
                op: UnaryOp::Not,
                operand: Box::new(e),
            })
        };
        let body = binary(
            BinaryOp::And,
            binary(BinaryOp::Or, compare("a"), compare("b")),
            not(binary(BinaryOp::And, compare("c"), compare("d"))),
        );
        let text = render(body)
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ");
        assert_eq!(text.matches("(rt::predicate(").count(), 4, "{text}");
        assert!(text.contains("&& !(rt::predicate("), "{text}");
    }

    #[test]
    fn stateful_functions_get_state_slots_and_regexes_fields() {
        let body = binary(
            BinaryOp::Add,
            call("sigma", vec![reference("x")], Some(0)),
            call("float", vec![call("count", vec![], Some(1))], None),
        );
        let text = render(body);
        assert!(
            text.contains(
                "pub struct TestState {\n    slot0: rt::Sigma,\n    slot1: rt::Count,\n}"
            ),
            "{text}"
        );
        assert!(text.contains("type State = TestState;"), "{text}");
        assert!(
            text.contains("state.slot0.call(&[rt::reference(scope, \"x\")?])?"),
            "{text}"
        );
        assert!(
            text.contains("rt::functions::FLOAT.call(&[state.slot1.call(&[])?])"),
            "{text}"
        );

        let matches = |pattern: &str| {
            binary(
                BinaryOp::RegexMatch,
                reference("host"),
                expr(TypedExprKind::Regex(pattern.into())),
            )
        };
        let text = render(binary(
            BinaryOp::Or,
            matches("^a"),
            binary(BinaryOp::And, matches("b$"), matches("^a")),
        ));
        assert!(
            text.contains("pub struct Test {\n    regex0: rt::Regex,\n    regex1: rt::Regex,\n}"),
            "{text}"
        );
        assert!(
            text.contains("regex0: rt::valid(\"node1\", rt::compile_regex(\"^a\"))"),
            "{text}"
        );
        assert_eq!(
            text.matches("&rt::Value::Regex(&self.regex0)").count(),
            4,
            "{text}"
        );
    }

    #[test]
    fn negative_literals_fold_and_unknown_functions_fail_after_their_arguments() {
        let neg = |kind| {
            expr(TypedExprKind::Unary {
                op: UnaryOp::Neg,
                operand: Box::new(expr(kind)),
            })
        };
        let text = render(binary(
            BinaryOp::Mul,
            neg(TypedExprKind::Int(2)),
            neg(TypedExprKind::Duration(60)),
        ));
        assert!(
            text.contains(
                "rt::binary(rt::BinaryOp::Mul, rt::Value::Int(-2), rt::Value::Duration(-60))"
            ),
            "{text}"
        );
        assert!(!text.contains("rt::unary"), "{text}");

        let unknown = expr(TypedExprKind::UnknownCall {
            name: "nope".into(),
            args: vec![reference("x")],
        });
        let text = render(unknown);
        assert!(
            text.contains("let _ = [rt::reference(scope, \"x\")?];"),
            "{text}"
        );
        assert!(
            text.contains("rt::EvalError::UndefinedFunction {\n"),
            "{text}"
        );
        assert!(!text.contains("fn test"), "{text}");
    }
}
