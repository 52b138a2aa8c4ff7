"""Hypothesis strategies shared by property tests."""

from hypothesis import strategies as st


def json_like(
    keys: list[str], *, values: tuple[object, ...] = (), max_leaves: int = 25
) -> st.SearchStrategy[object]:
    """Any JSON value, with object keys drawn mostly from `keys` (and
    scalars sometimes from `values`) so it reaches deep into the shape
    under test."""
    scalars = st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20)
    if values:
        scalars |= st.sampled_from(values)
    return st.recursive(
        scalars,
        lambda children: (
            st.lists(children, max_size=5)
            | st.dictionaries(st.sampled_from([*keys, "x"]), children, max_size=6)
        ),
        max_leaves=max_leaves,
    )
