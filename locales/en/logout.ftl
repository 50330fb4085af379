## Signing out at an application's request (/oidc/logout)
logout-title = Sign out
logout-question = Do you want to sign out of Tessera?
logout-asked-by = { $client } asks to sign you out. Signing out of Tessera also signs you out of the other applications you opened with it in this browser.
logout-asked = An application asks to sign you out. Signing out of Tessera also signs you out of the other applications you opened with it in this browser.
logout-sign-out = Sign out
logout-stay = Stay signed in
logout-done-title = Signed out
logout-done-heading = You have signed out
logout-done-text = You are no longer signed in to Tessera in this browser. The applications you used with it are being told as well.
logout-sign-in-again = Sign in again
