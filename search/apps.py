from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SearchConfig(AppConfig):
    """Search over what a person may open. It sits above the apps whose things it finds
    and listens to their saves, so none of them knows about it."""

    name = "search"
    verbose_name = _("Search")

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        from activities.models import Activity
        from kompra import slots
        from search import index
        from search.kinds import SPECS

        slots.register("directory.search", "search/slots/directory_search.html")

        def saved(sender, instance, raw=False, **kwargs):
            if raw:  # loading fixtures: the rebuild command indexes them
                return
            index.index_object(instance)
            if sender is Activity:
                # A reflection's entry carries its activity's title.
                index.write(SPECS["reflection"], index.queryset_for(SPECS["reflection"]).filter(activity=instance))

        def deleted(sender, instance, **kwargs):
            index.remove_object(instance)

        for model in {spec.model for spec in SPECS.values()}:
            # weak=False: the receivers are local functions, kept alive by the signal itself.
            post_save.connect(saved, sender=model, weak=False, dispatch_uid=f"search-save-{model._meta.label}")
            post_delete.connect(deleted, sender=model, weak=False, dispatch_uid=f"search-delete-{model._meta.label}")
