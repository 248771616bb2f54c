//! Enums stored as text columns through `sqlx::Any` (the server's SQLite or PostgreSQL), each
//! variant as a fixed key. sqlx's own derive implements decoding per database, not for `Any`,
//! hence this macro; the server uses it for its own enums too.

/// `sqlx_text_enum!(Type { Variant => "key", … })`: `Type`, `Encode` and `Decode` for
/// `sqlx::Any`, plus `Type::key(self)` and `Type::from_key(&str)`. An unknown key decodes to
/// an error naming it, never to a guess.
#[macro_export]
macro_rules! sqlx_text_enum {
    ($t:ty { $($variant:ident => $key:literal),+ $(,)? }) => {
        impl $t {
            pub fn key(self) -> &'static str {
                match self {
                    $(Self::$variant => $key),+
                }
            }

            pub fn from_key(key: &str) -> Option<Self> {
                match key {
                    $($key => Some(Self::$variant),)+
                    _ => None,
                }
            }
        }

        impl ::sqlx::Type<::sqlx::Any> for $t {
            fn type_info() -> ::sqlx::any::AnyTypeInfo {
                <str as ::sqlx::Type<::sqlx::Any>>::type_info()
            }

            fn compatible(ty: &::sqlx::any::AnyTypeInfo) -> bool {
                <str as ::sqlx::Type<::sqlx::Any>>::compatible(ty)
            }
        }

        impl<'q> ::sqlx::Encode<'q, ::sqlx::Any> for $t {
            fn encode_by_ref(
                &self,
                buf: &mut <::sqlx::Any as ::sqlx::Database>::ArgumentBuffer<'q>,
            ) -> ::std::result::Result<::sqlx::encode::IsNull, ::sqlx::error::BoxDynError> {
                <&'q str as ::sqlx::Encode<'q, ::sqlx::Any>>::encode_by_ref(&self.key(), buf)
            }
        }

        impl<'r> ::sqlx::Decode<'r, ::sqlx::Any> for $t {
            fn decode(
                value: <::sqlx::Any as ::sqlx::Database>::ValueRef<'r>,
            ) -> ::std::result::Result<Self, ::sqlx::error::BoxDynError> {
                let key = <&'r str as ::sqlx::Decode<'r, ::sqlx::Any>>::decode(value)?;
                Self::from_key(key).ok_or_else(|| {
                    format!("unknown {} `{key}`", stringify!($t)).into()
                })
            }
        }
    };
}

crate::sqlx_text_enum!(crate::wire::ApplyStep {
    RealName => "real_name",
    License => "license",
    Contact => "contact",
    Authorize => "authorize",
});

crate::sqlx_text_enum!(crate::wire::Scenario {
    New => "new",
    Wechat => "wechat",
});

crate::sqlx_text_enum!(crate::wire::AuthMode {
    Admin => "admin",
    Member => "member",
});
