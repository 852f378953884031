from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import BaseUserCreationForm, UserChangeForm
from django.utils.translation import gettext_lazy as _

from kompra.accounts.models import School, User


@admin.register(School)
class SchoolAdmin(admin.ModelAdmin):
    list_display = ["name", "npsn", "level", "district", "province", "time_zone"]
    list_filter = ["level", "province", "district"]
    search_fields = ["name", "npsn", "district"]


class SupervisionFields:
    """Schools are assigned to a pengawas only; the model's clean() checks the rest."""

    def clean(self):
        data = super().clean()
        schools = data.get("supervised_schools")
        if schools and data.get("role") != User.Role.PENGAWAS:
            self.add_error("supervised_schools", _("Only a pengawas is assigned schools."))
        return data


class UserCreationForm(SupervisionFields, BaseUserCreationForm):
    class Meta:
        model = User
        fields = ["email", "full_name", "school", "role", "supervised_schools", "office_province", "office_district"]


class UserEditForm(SupervisionFields, UserChangeForm):
    class Meta:
        model = User
        fields = "__all__"


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    add_form = UserCreationForm
    form = UserEditForm
    ordering = ["full_name"]
    list_display = ["full_name", "email", "school", "role", "is_staff", "is_active"]
    list_filter = ["role", "is_staff", "is_active", "school__level", "language"]
    search_fields = ["full_name", "email", "school__name", "school__npsn"]
    list_select_related = ["school"]
    autocomplete_fields = ["school", "supervised_schools"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        (
            _("Person"),
            {"fields": ["full_name", "short_name", "school", "role", "nip", "nuptk", "language", "time_zone"]},
        ),
        (
            _("Supervision (pengawas and dinas pendidikan)"),
            {
                "fields": ["supervised_schools", "office_province", "office_district"],
                "description": _(
                    "A pengawas oversees the schools assigned here. A dinas pendidikan oversees every school of "
                    "its region: give the province, and the kabupaten/kota for a district's office. "
                    "Supervisors have no school of their own."
                ),
            },
        ),
        (
            _("Permissions"),
            {"fields": ["is_active", "is_staff", "is_superuser", "groups", "user_permissions"]},
        ),
        (_("Dates"), {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (
            None,
            {
                "classes": ["wide"],
                "fields": [
                    "email",
                    "full_name",
                    "school",
                    "role",
                    "supervised_schools",
                    "office_province",
                    "office_district",
                    "password1",
                    "password2",
                ],
            },
        ),
    ]
