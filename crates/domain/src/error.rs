//! Validation errors that name the field at fault, so every door can show the message next to it.

use serde::Serialize;

/// One problem with one input field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldError {
    /// The field's name as the doors know it (`email`, `first_name`, ...).
    pub field: &'static str,
    /// A stable machine-readable code (`required`, `too_long`, ...).
    pub code: &'static str,
    /// A sentence for a person, saying what to change.
    pub message: String,
}

/// All the problems found in one input, in field order.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, thiserror::Error)]
#[error("invalid input: {}", .errors.iter().map(|e| format!("{}: {}", e.field, e.message)).collect::<Vec<_>>().join("; "))]
pub struct ValidationErrors {
    pub errors: Vec<FieldError>,
}

impl ValidationErrors {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn single(field: &'static str, code: &'static str, message: impl Into<String>) -> Self {
        let mut errors = Self::new();
        errors.push(field, code, message);
        errors
    }

    pub fn push(&mut self, field: &'static str, code: &'static str, message: impl Into<String>) {
        self.errors.push(FieldError {
            field,
            code,
            message: message.into(),
        });
    }

    /// Collects the error of a field validation and returns its value when it passed.
    pub fn check<T>(&mut self, result: Result<T, FieldError>) -> Option<T> {
        match result {
            Ok(value) => Some(value),
            Err(error) => {
                self.errors.push(error);
                None
            }
        }
    }

    pub fn is_empty(&self) -> bool {
        self.errors.is_empty()
    }

    /// The message for one field, if that field has a problem.
    pub fn for_field(&self, field: &str) -> Option<&str> {
        self.errors
            .iter()
            .find(|e| e.field == field)
            .map(|e| e.message.as_str())
    }

    /// `Ok(())` when nothing was found, the errors otherwise.
    pub fn into_result(self) -> Result<(), Self> {
        if self.errors.is_empty() {
            Ok(())
        } else {
            Err(self)
        }
    }
}

impl From<FieldError> for ValidationErrors {
    fn from(error: FieldError) -> Self {
        Self {
            errors: vec![error],
        }
    }
}
