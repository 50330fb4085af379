# The error page and the messages of refusals. problem-<name>-title is a page's heading,
# problem-<name> its message; the English must match crates/web/src/error.rs (a unit test
# checks it), which problem+json answers keep.

error-page-status = Error { $status }
error-page-start = Go to the start page

problem-bad-request-title = The request could not be read
problem-page-not-found-title = Page not found
problem-page-not-found = There is nothing at this address. Check the link, or go back to the start page.
problem-reset-link-title = This link does not work
problem-reset-link = It was used already, replaced by a newer one, or has expired (links work for one hour). Ask for a new one under "Lost your password?".
problem-sign-in-failed-title = Not signed in
problem-sign-in-failed = The e-mail address or password is not correct.
problem-account-unavailable-title = Account not available
problem-account-unavailable = Your account is { $status }. Contact your user administrator.
problem-throttled-title = Too many failed attempts
problem-throttled = { $locked ->
    [yes] Too many failed attempts: signing in with this e-mail address is paused until { $until }. Your user administrator can lift this sooner.
   *[no] Too many failed attempts. Wait { $seconds } seconds, then try again.
}
problem-rate-limited-title = Too many sign-in attempts
problem-rate-limited = Too many sign-in attempts came from your network. Wait a minute, then try again.
problem-wrong-code-title = Wrong code
problem-wrong-code = The code is not correct. You can try { $left } more times.
problem-code-expired-title = Code expired
problem-code-expired = The code has expired. Sign in again to receive a new one.
problem-code-exhausted-title = Too many wrong codes
problem-code-exhausted = The code was wrong too many times. Sign in again to receive a new one.
problem-challenge-gone-title = Sign in again
problem-challenge-gone = This sign-in has ended. Sign in again.
problem-no-strong-method-title = A stronger verification method is needed
problem-no-strong-method = This needs a verification method your account does not have (for example a security key). Add one in My Account, or ask your user administrator.
problem-last-factor-title = This is your last verification method
problem-last-factor = Your applications need a second factor: add another one before removing this one.
problem-passkeys-unavailable-title = Security keys are not available
problem-passkeys-unavailable = Security keys and passkeys only work when Tessera is reached by a host name (its public address), not by an IP address.
problem-key-refused-title = Security key not accepted
problem-key-refused = The security key's answer was not accepted. Try again, or try another way.
problem-conflict-title = Not possible
problem-not-signed-in-title = Not signed in
problem-not-signed-in = Sign in to continue.
problem-not-found-title = Not found
problem-not-found = There is nothing here, or it is not yours to see.
problem-forbidden-title = Not allowed
problem-forbidden = Your account may not do this. If you need to, ask an operator.
problem-busy-title = Tessera is busy
problem-busy = Too many requests are being processed. Please try again in a moment.
problem-stale-title = Changed in the meantime
problem-stale = The record was changed by someone else. Reload it and try again.
problem-internal-title = Something went wrong
problem-internal = Tessera could not complete this request. The problem has been logged; please try again later.
problem-form-expired-title = The form has expired
problem-form-expired = This form was not sent from Tessera's own page, or its page is too old. Go back, reload the page and try again.

## Field errors, by field and code (crates/domain, crates/app). Left out in English on
## purpose, so the app's own sentence shows: error-phone-invalid (the app says which of two
## problems it is) and error-new_password-guessable (it carries the estimator's advice).

# Passwords: the rules of crates/domain/src/password.rs and the quality checks of crates/auth.
error-new_password-too_short = Use at least { $min } characters (this one has { $length }).
error-new_password-too_long = Use at most { $max } characters.
error-new_password-too_simple = Use characters from at least three of these groups: upper case letters, lower case letters, digits, special characters (a space counts).
error-new_password-contains_name = Do not use your name or e-mail address in your password.
error-new_password-leaked = Your new password cannot be used because it is in a public database with insecure passwords. It could be used to take over your account. Please choose a different password.
error-new_password-unchanged = Choose a password other than your current one.
error-confirm-mismatch = The two passwords are not the same.
error-current_password-wrong = Your current password is not correct.

# Second factors in My Account.
error-phone-required = Enter a phone number.
error-phone-not_international = Enter the number in international format: + and the country code first (for example +49 151 2345 6789), not a national number.
error-phone-duplicate = This number is already in your account.
error-name-required = Give it a name, so you can tell it from others (for example "Phone" or "Blue key").
error-code-wrong = The code is not correct. Check that the app shows Tessera with your e-mail address, and type the six digits it shows now.
error-method-required = Choose one of your verification methods.
error-method-unavailable = Add this verification method to your account first.
