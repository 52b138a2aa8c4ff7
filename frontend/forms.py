from django import forms

FORMATS = [("text", "Pasted text (the app's page, numbered posts or paragraphs)"), ("json", "Thread JSON")]


class ImportForm(forms.Form):
    format = forms.ChoiceField(choices=FORMATS, initial="text", widget=forms.RadioSelect)
    content = forms.CharField(
        label="Paste the thread",
        required=False,
        widget=forms.Textarea(attrs={"rows": 14, "spellcheck": "false"}),
    )
    json_file = forms.FileField(label="…or choose a JSON file", required=False)
    title = forms.CharField(
        max_length=200, required=False, help_text="Optional: we derive one from the first post."
    )

    def clean(self) -> dict:
        data = super().clean() or {}
        upload = data.get("json_file")
        if upload:
            if upload.size > 25 * 1024 * 1024:
                raise forms.ValidationError({"json_file": "JSON files can be at most 25 MB."})
            try:
                data["content"] = upload.read().decode("utf-8-sig")
            except UnicodeDecodeError as exc:
                raise forms.ValidationError({"json_file": "The file is not UTF-8 text."}) from exc
            data["format"] = "json"
        if not data.get("content", "").strip():
            raise forms.ValidationError({"content": "Paste a thread or choose a JSON file."})
        return data
