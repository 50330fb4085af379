# My Account: details, Security, My Apps, sessions, changing the password; the start page.

## Start page
home-title = Welcome
home-heading = Welcome to Tessera
home-lead = The one place where you are identified, signed in with a strong second factor, and given access to the applications you work with.
home-no-operator = This installation has no operator yet
# Around the command `tessera admin create-operator`, which is not translated.
home-setup-before = Open the one-time setup link that Tessera printed on the server's console when it started, or run
home-setup-after = on the server.

## My Account
account-title = My Account
account-details = My account details
account-first-name = First name
account-last-name = Last name
account-email-language = E-mail language
account-signed-in-with = Signed in with
account-signed-in-with-value = { $methods } ({ $assurance } assurance)
account-password-changed = Your password was changed. Your other sessions were signed out.
account-security = Security
account-security-link = Security: phone numbers, authenticator apps, security keys
account-apps-hint = : the applications you may open
account-sessions = Sessions
account-display-sessions = Display my sessions
account-display-activity = Display my activity
account-administration = Administration
account-admin-users = Users
account-admin-levels = Organisation levels
account-admin-administrators = Administrators
account-admin-applications = Applications
account-admin-audit = Audit trail
account-admin-outbox = Messages (outbox)
account-sign-out = Sign out
account-back = Back to My Account
account-confirm = Confirm
account-cancel = Cancel

## How a session was signed in, by the method's code. English shows the codes themselves,
## as the pages always have (and tests and people's notes quote them).
used-method-password = password
used-method-sms = sms
used-method-voice = voice
used-method-authenticator_app = authenticator_app
used-method-security_key = security_key
used-method-passkey = passkey
assurance-low = low
assurance-medium = medium
assurance-high = high

## Security
security-title = Security
security-phones = Mobile phone numbers
security-no-phone = No phone number yet.
security-number = Number
security-use = Use
security-actions = Actions
security-default = Default
security-make-default = Make default
security-delete = Delete
security-remove = Remove
security-add-phone = Add a mobile phone number
security-add-phone-hint = International format, e.g. +49 151 2345 6789. We send an SMS with a code to confirm it.
security-send-code = Send code
security-apps = Authenticator apps
security-no-app = No authenticator app yet.
security-add-app = Add an authenticator app: its name
security-add-app-hint = For example "Phone" or "Work tablet".
security-add-app-button = Add authenticator app
security-keys = Security keys and passkeys
security-no-key = No security key yet.
security-add-key = Add a security key or passkey
security-keys-host-name = Security keys work when Tessera is reached by its host name.
security-default-method = Default verification method
security-default-legend = Sign-in offers this method first
security-save-default = Save default
security-phone-code-gone = This code no longer works (it expired, or was wrong too many times). Add the number again to receive a new code.
security-done-phone-added = The phone number was confirmed and added.
security-done-phone-removed = The phone number was deleted.
security-done-phone-default = Codes now go to this number first.
security-done-app-added = The authenticator app was added.
security-done-app-removed = The authenticator app was removed.
security-done-key-added = A security key has been added.
security-done-key-removed = The security key was removed.
security-done-default = Your default verification method was saved.

## Confirming a phone number
phone-confirm-title = Confirm phone number
phone-confirm-heading = Confirm your phone number
phone-confirm-sent = We sent an SMS with a code to
phone-confirm-code = Code from the SMS
phone-confirm-code-hint = Eight letters and digits, shown as XXXX-XXXX. The code expires after three minutes.

## Adding a security key
key-new-title = Add a security key
key-new-heading = Add a Security Key or Trusted Platform
key-new-intro = Give the key a name, then follow your browser: touch the key when it blinks, or confirm with this device's screen lock to keep a passkey on it.
key-new-needs-javascript = Adding a security key needs JavaScript.
key-new-name = Name of the key
key-new-name-hint = For example "Blue key" or "Laptop".
key-new-add = Add key

## Adding an authenticator app
app-new-title = Add authenticator app
app-new-heading = Add authenticator app "{ $name }"
app-new-scan = In your authenticator app, add an account and scan this QR code.
app-new-type = Type the six digits the app shows for Tessera.
app-new-qr = QR code to scan with your authenticator app
app-new-no-camera = No camera? Enter this key in the app instead (time based):
app-new-code = Code shown by the app

## My sessions
sessions-title = My sessions
sessions-intro = Where you are signed in now. If you do not recognise one, sign it out and change your password.
sessions-caption = Open sessions
sessions-device = Browser and device
sessions-address = Address
sessions-started = Started
sessions-last-used = Last used
sessions-applications = Applications used
sessions-action = Action
sessions-this-browser = (this browser)
sessions-browser-on = { $browser } on { $system }
sessions-a-browser-on = A browser on { $system }
sessions-unknown-device = Unknown device
sessions-unknown-address = unknown
sessions-no-applications = none yet

## My Apps
apps-title = My Apps
apps-none = You have no applications yet. Your organisation's access administrator can grant you access.
environment-production = Production
environment-pre_production = Pre-Production

## Change password
password-title = Change password
password-submit = Change password
password-current = Current password
password-new = New password
password-confirm = Confirm new password
password-rules = At least { $min } characters from three of: upper case, lower case, digits, special characters (a space counts). Not your name or e-mail address.
