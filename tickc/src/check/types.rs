//! The types a lambda expression may take at run time. A field can hold a float, an int, a
//! string or a bool, and may change from point to point; an operator or a function narrows
//! that down (`"x" * 2.0` can only be a float, `"x" % 2.0` can never succeed). An expression
//! whose set has one type has that static type.

use super::operators;
use crate::catalogue::ValueType::{self, *};
use crate::ir::{StaticType, TypedExpr, TypedExprKind};

/// A set of value types (the point-independent ones: a missing field is an error, not a type).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(super) struct TypeSet(u8);

const TYPES: [ValueType; 7] = [Float, Int, String, Bool, Regex, Time, Duration];

/// What a field or tag reference may hold.
const FIELD_TYPES: TypeSet = TypeSet(0b1111);

impl TypeSet {
    fn bit(ty: ValueType) -> u8 {
        TYPES.iter().position(|t| *t == ty).map_or(0, |i| 1 << i)
    }

    pub fn one(ty: ValueType) -> TypeSet {
        TypeSet(Self::bit(ty))
    }

    pub fn with(self, ty: ValueType) -> TypeSet {
        TypeSet(self.0 | Self::bit(ty))
    }

    pub fn contains(self, ty: ValueType) -> bool {
        self.0 & Self::bit(ty) != 0
    }

    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    pub fn iter(self) -> impl Iterator<Item = ValueType> {
        TYPES.into_iter().filter(move |t| self.contains(*t))
    }

    /// The static type this set stands for.
    pub fn static_type(self) -> StaticType {
        let mut types = self.iter();
        match (types.next(), types.next()) {
            (Some(only), None) => StaticType::Known(only),
            _ => StaticType::Dynamic,
        }
    }

    /// "a float, an int or a string"; "a field value" for what a reference may hold.
    pub fn describe(self) -> std::string::String {
        if self == FIELD_TYPES {
            return "a field value".to_owned();
        }
        let names: Vec<std::string::String> = self
            .iter()
            .map(|t| format!("{} {}", article(t.as_str()), t.as_str()))
            .collect();
        match names.split_last() {
            Some((last, rest)) if !rest.is_empty() => format!("{} or {last}", rest.join(", ")),
            Some((last, _)) => last.clone(),
            None => "nothing".to_owned(),
        }
    }
}

/// "a"/"an" before a type name.
pub(super) fn article(type_name: &str) -> &'static str {
    if type_name.starts_with(['a', 'e', 'i', 'o', 'u']) {
        "an"
    } else {
        "a"
    }
}

/// The types `expr` may evaluate to.
pub(super) fn possible(expr: &TypedExpr) -> TypeSet {
    if let StaticType::Known(ty) = expr.ty {
        return TypeSet::one(ty);
    }
    match &expr.kind {
        TypedExprKind::Reference(_) => FIELD_TYPES,
        TypedExprKind::Unary { op, operand } => {
            let mut out = TypeSet::default();
            for t in possible(operand)
                .iter()
                .filter_map(|t| operators::unary(*op, t))
            {
                out = out.with(t);
            }
            out
        }
        TypedExprKind::Binary { op, lhs, rhs } => binary(*op, possible(lhs), possible(rhs)),
        TypedExprKind::Call { function, args, .. } => {
            let args: Vec<TypeSet> = args.iter().map(possible).collect();
            let mut out = TypeSet::default();
            for sig in function.sigs {
                if sig.args.len() == args.len()
                    && sig.args.iter().zip(&args).all(|(p, a)| a.contains(*p))
                {
                    out = out.with(sig.returns);
                }
            }
            out
        }
        // Literals are always known; an unknown function never returns.
        _ => TypeSet::default(),
    }
}

/// The types `lhs op rhs` may evaluate to.
pub(super) fn binary(op: crate::ast::BinaryOp, lhs: TypeSet, rhs: TypeSet) -> TypeSet {
    let mut out = TypeSet::default();
    for l in lhs.iter() {
        for r in rhs.iter() {
            if let Some(t) = operators::binary(op, l, r) {
                out = out.with(t);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ast::BinaryOp;

    #[test]
    fn operators_narrow_field_types() {
        assert_eq!(
            binary(BinaryOp::Mul, FIELD_TYPES, TypeSet::one(Float)).static_type(),
            StaticType::Known(Float)
        );
        assert!(binary(BinaryOp::Mod, FIELD_TYPES, TypeSet::one(Float)).is_empty());
        assert_eq!(
            binary(BinaryOp::Add, FIELD_TYPES, FIELD_TYPES).static_type(),
            StaticType::Dynamic
        );
        assert_eq!(FIELD_TYPES.describe(), "a field value");
        assert_eq!(
            TypeSet::one(Int).with(Float).describe(),
            "a float or an int"
        );
    }
}
