//! Wire logic of the protocols Tessera speaks, free of IO: what goes into and comes out of
//! messages. JOSE keys, OAuth 2.0 / OpenID Connect requests and tokens now; CAS, SAML and
//! SCIM join with their issues.

pub mod discovery;
pub mod jwk;
pub mod oauth;
pub mod tokens;
