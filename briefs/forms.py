"""Forms of the brief library; they validate and clean, nothing else."""

from urllib.parse import urlencode

from django import forms


class BriefSearchForm(forms.Form):
    q = forms.CharField(label="Search briefs", required=False, max_length=200)
    tag = forms.SlugField(label="Tag", required=False, max_length=60)

    def query_string(self) -> str:
        """The current filters, for pagination links."""
        if not self.is_valid():
            return ""
        return urlencode({key: value for key, value in self.cleaned_data.items() if value})
