from django.apps import AppConfig


class CustomersConfig(AppConfig):
    name = "onethread.customers"
    label = "customers"
    verbose_name = "Accounts and contacts"
