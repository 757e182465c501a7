from django.contrib.admin.apps import AdminConfig


class FearCheckAdminConfig(AdminConfig):
    default_site = "aouad.admin.FearCheckAdminSite"
