from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import BaseUserCreationForm, UserChangeForm
from django.utils.translation import gettext_lazy as _

from kompra.accounts.models import School, User


@admin.register(School)
class SchoolAdmin(admin.ModelAdmin):
    list_display = ["name", "npsn", "level", "district", "province"]
    list_filter = ["level", "province", "district"]
    search_fields = ["name", "npsn", "district"]


class UserCreationForm(BaseUserCreationForm):
    class Meta:
        model = User
        fields = ["email", "full_name", "school", "role"]


class UserEditForm(UserChangeForm):
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
    autocomplete_fields = ["school"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        (_("Person"), {"fields": ["full_name", "short_name", "school", "role", "language", "time_zone"]}),
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
                "fields": ["email", "full_name", "school", "role", "password1", "password2"],
            },
        ),
    ]
