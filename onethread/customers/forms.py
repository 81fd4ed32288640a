from django import forms

from onethread.customers.models import BuyingRole


class AddContactForm(forms.Form):
    name = forms.CharField(max_length=200)
    title = forms.CharField(max_length=200, required=False)
    email = forms.EmailField(required=False)
    buying_role = forms.ChoiceField(choices=BuyingRole.choices, initial=BuyingRole.OTHER)
