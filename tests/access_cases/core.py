"""Access cases of the home page, language switcher, health check and sign-in pages."""

from tests.access_cases import Case, anyone, signed_in

CASES = [
    Case("main.home", url="/", expect=signed_in),
    Case("main.language", "POST", "/language", {"language": "fr", "next": "/"}, expect=anyone),
    Case("main.healthz", url="/healthz", expect=anyone),
    Case("auth.login", url="/auth/login", expect=anyone),
    Case("auth.logout", "POST", "/auth/logout", {}, expect=lambda user: "login"),  # back to the login page
    Case("auth.password", url="/auth/password", expect=signed_in),
]
