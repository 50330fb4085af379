use tessera_domain::audit::Actor;

/// Who is asking and under which request id: passed to every use case so its audit event
/// names them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ctx {
    pub actor: Actor,
    pub request_id: Option<String>,
}

impl Ctx {
    pub fn system() -> Self {
        Self {
            actor: Actor::System,
            request_id: None,
        }
    }

    pub fn anonymous(request_id: Option<String>) -> Self {
        Self {
            actor: Actor::Anonymous,
            request_id,
        }
    }
}
