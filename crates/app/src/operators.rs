//! Creating operators: from the one-time setup link, and from the command line.

use serde_json::json;
use tessera_domain::UserId;
use tessera_domain::ValidationErrors;
use tessera_domain::audit::NewAuditEvent;
use tessera_domain::level::Level;
use tessera_domain::message::{Channel, NewMessage};
use tessera_domain::password::{PasswordOwner, check_confirmation};
use tessera_domain::role::Role;
use tessera_domain::user::{NewUser, User, UserStatus};
use tessera_store::roles::RoleGrant;
use tessera_store::{AuditLog, Credentials, Levels, Roles, SetupTokens, Tx, Users};

use crate::app::{App, SUPPORTED_LANGUAGES};
use crate::context::Ctx;
use crate::error::{AppError, AppResult};

/// What a person types to become an operator.
#[derive(Debug, Clone, Default)]
pub struct NewOperator {
    pub first_name: String,
    pub last_name: String,
    pub email: String,
    pub language: String,
    pub password: String,
    /// The password typed a second time; `None` where there is no second field (CLI stdin).
    pub confirm: Option<String>,
}

impl NewOperator {
    /// Checks every field, collecting one message per problem.
    pub(crate) fn validate(&self, app: &App) -> Result<NewUser, ValidationErrors> {
        let mut errors = ValidationErrors::new();
        let user = match NewUser::parse(
            &self.first_name,
            &self.last_name,
            &self.email,
            &self.language,
            SUPPORTED_LANGUAGES,
        ) {
            Ok(user) => Some(user),
            Err(problems) => {
                errors.errors.extend(problems.errors);
                None
            }
        };
        let owner = PasswordOwner {
            email: &self.email,
            first_name: &self.first_name,
            last_name: &self.last_name,
        };
        errors.errors.extend(
            app.password_problems("password", &self.password, owner)
                .errors,
        );
        if let Some(confirm) = &self.confirm {
            errors.check(check_confirmation("confirm", &self.password, confirm));
        }
        match user {
            Some(user) if errors.is_empty() => Ok(user),
            _ => Err(errors),
        }
    }
}

impl App {
    /// Creates an operator at the root level from the command line (`tessera admin
    /// create-operator`): whoever runs the binary on the server is trusted with this. Any
    /// pending setup link stops working, since the first operator exists now.
    pub async fn create_operator(&self, input: NewOperator, ctx: &Ctx) -> AppResult<User> {
        let fields = input.validate(self)?;
        let phc = self.hasher().hash(input.password).await?;
        let mut tx = self.store().begin().await?;
        let user = self.insert_operator(&mut tx, fields, &phc, ctx).await?;
        tx.clear_setup_tokens().await?;
        self.notify_new_operator(&mut tx, &user).await?;
        tx.commit().await?;
        self.wake_delivery();
        Ok(user)
    }

    /// Tells a new operator, by e-mail, that their account exists: a person should never
    /// hold administrative rights without knowing it.
    pub(crate) async fn notify_new_operator(&self, tx: &mut Tx, user: &User) -> AppResult<()> {
        let message = NewMessage::new(
            Channel::Email,
            &user.email,
            "operator-created",
            &user.language,
        )
        .arg("name", user.display_name())
        .arg("email", &user.email)
        .arg("url", format!("{}/", self.config().public_url));
        self.enqueue_message(tx, message).await?;
        Ok(())
    }

    /// Inserts a user with a password at the root level and grants them the operator role,
    /// with its audit events, inside the caller's transaction.
    pub(crate) async fn insert_operator(
        &self,
        tx: &mut Tx,
        fields: NewUser,
        phc: &str,
        ctx: &Ctx,
    ) -> AppResult<User> {
        let root = tx
            .root_level()
            .await?
            .ok_or_else(|| AppError::Internal("the level tree has no root".into()))?;
        let user = self
            .insert_user_with_password(tx, &root, fields, phc, ctx)
            .await?;
        let now = self.now();
        tx.grant_role(&RoleGrant {
            user_id: user.id,
            role: Role::Operator,
            level_id: root.id,
            granted_by: ctx.actor.user_id(),
            granted_at: now,
        })
        .await?;
        tx.append_audit(
            NewAuditEvent::new(now, ctx.actor, "role.grant", "user")
                .target(user.id)
                .level(root.id)
                .request(ctx.request_id.as_deref())
                .details(&json!({"role": Role::Operator.as_str(), "level": root.id})),
        )
        .await?;
        Ok(user)
    }

    /// Inserts an active user with a password hash, and its audit event.
    pub(crate) async fn insert_user_with_password(
        &self,
        tx: &mut Tx,
        level: &Level,
        fields: NewUser,
        phc: &str,
        ctx: &Ctx,
    ) -> AppResult<User> {
        if tx.user_by_email_key(&fields.email_key).await?.is_some() {
            return Err(ValidationErrors::single(
                "email",
                "taken",
                "An account with this e-mail address already exists.",
            )
            .into());
        }
        let now = self.now();
        let id: UserId = self.new_user_id();
        let user = fields.into_user(id, level.id, UserStatus::Active, ctx.actor.user_id(), now);
        tx.insert_user(&user).await?;
        tx.set_password(user.id, phc, now).await?;
        tx.append_audit(
            NewAuditEvent::new(now, ctx.actor, "user.create", "user")
                .target(user.id)
                .level(level.id)
                .request(ctx.request_id.as_deref())
                .details(&json!({"after": {
                    "first_name": user.first_name,
                    "last_name": user.last_name,
                    "email": user.email,
                    "language": user.language,
                    "status": user.status.as_str(),
                }})),
        )
        .await?;
        Ok(user)
    }
}
