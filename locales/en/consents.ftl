# My Account, "Applications you allowed": the consents given to third-party OpenID Connect
# clients, and withdrawing them.

consents-title = Applications you allowed
consents-account-hint = : what they may see about you
consents-intro = Applications you allowed to receive your data when you sign in to them. Withdraw a consent and the application asks you again the next time you sign in to it.
consents-caption = Consents you gave
consents-application = Application
consents-client = Client
consents-may-see = What it may see
consents-since = Since
consents-action = Action
consents-withdraw = Withdraw
consents-none = You have not allowed any application to receive your data.
consents-done-withdrawn = Your consent was withdrawn. The application will ask you again the next time you sign in to it.
# The application and its environment, e.g. "CASPER (Production)".
consents-application-in = { $application } ({ $environment })

## What a client may see, by scope: the words of the consent page.
consents-scope-openid = Know who you are
consents-scope-profile = See your name
consents-scope-email = See your e-mail address
consents-scope-phone = See your phone number
consents-scope-groups = See your memberships of { $application }

## The consent page at sign-in: a third-party application asks before it gets data.
consent-title = Allow { $client }?
consent-heading = { $client } of { $application } wants to:
consent-advice = Allow it only if you trust this application. You can withdraw your consent later in My Account, under "Applications you allowed".
consent-allow = Allow
consent-deny = Deny
