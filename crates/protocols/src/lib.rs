//! Wire logic of the protocols Tessera speaks, free of IO: what goes into and comes out of
//! messages. JOSE keys now; OpenID Connect, CAS, SAML and SCIM join with their issues.

pub mod jwk;
