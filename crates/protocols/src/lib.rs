//! Wire logic of the protocols Tessera speaks, free of IO: what goes into and comes out of
//! messages. JOSE keys, OAuth 2.0 / OpenID Connect requests and tokens, CAS 3.0 now; SAML and
//! SCIM join with their issues.

pub mod cas;
pub mod cas_logout;
pub mod client_assertion;
pub mod discovery;
pub mod jwk;
pub mod logout;
pub mod oauth;
pub mod tokens;
