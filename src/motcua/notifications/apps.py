from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "motcua.notifications"
    verbose_name = _("Notifications and outbox")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.core.signals import request_started

        from motcua.notifications.choices import OutboxTopic
        from motcua.notifications.conf import outbox_config
        from motcua.notifications.services import email, outbox, webhooks, worker

        outbox.register_handler(OutboxTopic.WEBHOOK, webhooks.webhook_deliver)
        outbox.register_handler(OutboxTopic.EMAIL, email.email_deliver)

        mode = outbox_config().mode  # fails fast on a bad MOTCUA_OUTBOX_MODE
        if mode == "celery":
            from motcua.notifications.tasks import dispatch_delivery

            outbox.set_dispatcher(dispatch_delivery)
        elif mode == "thread":
            outbox.set_dispatcher(worker.wake_background_worker)
            # Started by the first request (after any fork of the server), never by commands.
            request_started.connect(_start_worker, dispatch_uid="motcua-outbox-thread")


def _start_worker(**kwargs) -> None:
    from motcua.notifications.services.worker import start_background_worker

    start_background_worker()
