"""python-cas (CASClient, CAS 3.0) as a service of Tessera, driven by
crates/tests/tests/interop_cas_client.rs: one JSON request a line on standard input
({"op": ...}), one JSON answer a line on standard output ({"ok": true, ...} or
{"ok": false, "error": "..."}). The login URL, the validation request and the reading of the
answer are the library's own.
"""

import json
import sys

import cas

client = None


def setup(request):
    global client
    client = cas.CASClient(
        version=3,
        server_url=request["server_url"],
        service_url=request["service_url"],
    )
    return {}


def login_url(_request):
    return {"url": client.get_login_url()}


def verify(request):
    user, attributes, pgtiou = client.verify_ticket(request["ticket"])
    return {"user": user, "attributes": attributes, "pgtiou": pgtiou}


def logout_url(request):
    return {"url": client.get_logout_url(request.get("redirect_url"))}


OPS = {
    "setup": setup,
    "login_url": login_url,
    "verify": verify,
    "logout_url": logout_url,
}


def answer(line):
    try:
        request = json.loads(line)
        op = OPS.get(request.get("op"))
        if op is None:
            return {"ok": False, "error": f"no op {request.get('op')!r}"}
        return {"ok": True, **op(request)}
    except Exception as err:  # every failure goes back to the test, which reports it
        return {"ok": False, "error": f"{type(err).__name__}: {err}"}


def main():
    for line in sys.stdin:
        if not line.strip():
            continue
        sys.stdout.write(json.dumps(answer(line)) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
