//! Closed sets of words the domain stores and shows: each value has a stable slug (storage,
//! URLs, API) and a Vietnamese label.

/// Implements `ALL`, `as_str` (the slug), `label` and `parse` (an invalid-field error naming
/// the field and what was expected) for a fieldless enum:
///
/// ```ignore
/// vocabulary! { Step, "step", "thao tác";
///     Submit => "submit", "trình duyệt";
///     Approve => "approve", "duyệt";
/// }
/// ```
macro_rules! vocabulary {
    ($t:ident, $field:literal, $what:literal; $($v:ident => $slug:literal, $label:literal;)+) => {
        impl $t {
            /// Every value, in display order.
            pub const ALL: &'static [$t] = &[$($t::$v),+];

            /// The stable slug stored and used in URLs and the API.
            pub fn as_str(self) -> &'static str {
                match self { $($t::$v => $slug),+ }
            }

            pub fn label(self) -> &'static str {
                match self { $($t::$v => $label),+ }
            }

            pub fn parse(s: &str) -> $crate::Result<Self> {
                let s = s.trim();
                Self::ALL.iter().copied().find(|v| v.as_str() == s).ok_or_else(|| {
                    $crate::DomainError::invalid($field, format!(concat!("không có ", $what, " '{}'"), s))
                })
            }
        }
    };
}
