from django import forms

from onethread.customers.models import Contact
from onethread.interactions.models import Interaction


class LogInteractionForm(forms.Form):
    channel = forms.ChoiceField(
        choices=Interaction.Channel.choices, initial=Interaction.Channel.CALL
    )
    direction = forms.ChoiceField(
        choices=Interaction.Direction.choices, initial=Interaction.Direction.OUTBOUND
    )
    summary = forms.CharField(max_length=5000, widget=forms.Textarea(attrs={"rows": 3}))
    contacts = forms.ModelMultipleChoiceField(
        queryset=Contact.objects.none(), required=False, widget=forms.CheckboxSelectMultiple
    )
    occurred_at = forms.DateTimeField(
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text="Leave empty for now.",
    )

    def __init__(self, *args: object, account_id: int, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["contacts"].queryset = Contact.objects.filter(  # type: ignore[attr-defined]
            account_id=account_id, is_active=True
        )
