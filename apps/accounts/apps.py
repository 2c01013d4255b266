from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "apps.accounts"
    label = "accounts"
    verbose_name = "Accounts"

    def ready(self) -> None:
        # Connected here, explicitly, rather than by @receiver at import: the
        # authentication events are written by these and by nothing else.
        # Importing axes' receivers first connects them first, and receivers run in
        # the order they were connected: when ours see a failed sign-in, axes has
        # already counted it and decided whether it locks.
        import axes.signals  # noqa: F401
        from django.contrib.auth import signals

        from apps.accounts import auth_log, middleware

        signals.user_logged_in.connect(middleware.stamp_sign_in, dispatch_uid="session-stamp")
        signals.user_logged_in.connect(auth_log.on_login_succeeded, dispatch_uid="auth-log-in")
        signals.user_login_failed.connect(auth_log.on_login_failed, dispatch_uid="auth-log-failed")
        signals.user_logged_out.connect(auth_log.on_logged_out, dispatch_uid="auth-log-out")
