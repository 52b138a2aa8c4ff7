"""Loaded by Schemathesis (the `hooks` setting) for the cross-user run: the
caller owns none of the ids in the paths, so a 2xx answer to any operation
with a path parameter served or changed another user's object."""

import schemathesis


@schemathesis.check
def no_cross_user_success(ctx, response, case):  # type: ignore[no-untyped-def]
    if case.path_parameters and 200 <= response.status_code < 300:
        raise AssertionError(
            f"{case.method} {case.formatted_path} answered {response.status_code} "
            "to a user who owns none of it"
        )
