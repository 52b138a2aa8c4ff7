import datetime

from rest_framework import serializers

from accounts.models import ApiToken, Plan, User

TOKEN_MAX_DAYS = 3650  # ten years


class SignupSerializer(serializers.Serializer):
    email = serializers.EmailField(max_length=254)
    password = serializers.CharField(max_length=128, write_only=True, trim_whitespace=False)


class SignupAnswerSerializer(serializers.Serializer):
    """The same for a new address and a taken one."""

    email = serializers.EmailField(read_only=True)
    detail = serializers.CharField(read_only=True)


class PlanSerializer(serializers.ModelSerializer):
    limits = serializers.SerializerMethodField()

    class Meta:
        model = Plan
        fields = ["code", "name", "price_per_month_cents", "limits"]

    def get_limits(self, plan: Plan) -> dict[str, int | bool]:
        return plan.limits()


class UsageSerializer(serializers.Serializer):
    month = serializers.CharField(help_text="YYYY-MM, UTC")
    exports_used = serializers.IntegerField()
    exports_limit = serializers.IntegerField()
    exports_remaining = serializers.IntegerField()
    resets_at = serializers.DateTimeField()


class UserSerializer(serializers.ModelSerializer):
    plan = PlanSerializer(read_only=True)

    class Meta:
        model = User
        fields = ["id", "email", "plan", "date_joined"]
        read_only_fields = fields


class MeSerializer(UserSerializer):
    usage = UsageSerializer(read_only=True)

    class Meta(UserSerializer.Meta):
        fields = [*UserSerializer.Meta.fields, "usage"]
        read_only_fields = fields


class TokenCreateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=100, required=False, default="API token")
    email = serializers.EmailField(required=False, help_text="With password, when not signed in.")
    password = serializers.CharField(required=False, write_only=True, trim_whitespace=False)
    expires_in = serializers.IntegerField(
        required=False,
        allow_null=True,
        default=None,
        min_value=60,
        max_value=TOKEN_MAX_DAYS * 24 * 3600,
        help_text="Seconds until the token stops working, from 60 to 315360000 (ten years). "
        "Omit or null for a token that never expires.",
    )
    expires_in_days = serializers.IntegerField(
        required=False,
        allow_null=True,
        default=None,
        min_value=1,
        max_value=TOKEN_MAX_DAYS,
        help_text="The same in days, from 1 to 3650; give `expires_in` or this, not both.",
    )

    def validate(self, attrs: dict) -> dict:
        if ("email" in attrs) != ("password" in attrs):
            missing = "password" if "email" in attrs else "email"
            raise serializers.ValidationError({missing: ["Give both email and password, or neither."]})
        seconds, days = attrs.pop("expires_in"), attrs.pop("expires_in_days")
        if seconds is not None and days is not None:
            raise serializers.ValidationError(
                {"expires_in": ["Give expires_in or expires_in_days, not both."]}
            )
        if seconds is not None:
            attrs["expires_in"] = datetime.timedelta(seconds=seconds)
        elif days is not None:
            attrs["expires_in"] = datetime.timedelta(days=days)
        else:
            attrs["expires_in"] = None
        return attrs


class TokenSerializer(serializers.ModelSerializer):
    prefix = serializers.CharField(source="display_prefix", read_only=True)
    expiry = serializers.DateTimeField(
        read_only=True, allow_null=True, help_text="When the token stops working; null: never."
    )

    class Meta:
        model = ApiToken
        fields = ["id", "name", "prefix", "created", "expiry", "last_used", "scope"]
        read_only_fields = fields


class NewTokenSerializer(TokenSerializer):
    token = serializers.CharField(read_only=True, help_text="The secret, shown this once.")

    class Meta(TokenSerializer.Meta):
        fields = [*TokenSerializer.Meta.fields, "token"]
        read_only_fields = fields
