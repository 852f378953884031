from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SchoolsConfig(AppConfig):
    name = "schools"
    verbose_name = _("School dashboard and feedback")

    def ready(self):
        from communities.tabs import tab
        from kompra import slots

        tab(
            key="feedback",
            label=_("Feedback"),
            url_name="schools:feedback",
            order=85,
            shown=lambda access: access.can_read_feedback,
        )
        slots.register("community.overview", "schools/slots/community_feedback.html", order=200)
        slots.register("activity.after", "schools/slots/activity_feedback.html")
        slots.register("stage_change.after", "schools/slots/stage_change_feedback.html")

        # Registers its kinds of notice and who may still see their objects.
        from schools import notify  # noqa: F401
