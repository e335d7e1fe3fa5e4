# The drafts' cast and drafts, shared by the tests of drafts and of agreeing their texts.
from tests.initiatives.test_drafts import cast, co_sponsored, draft  # noqa: F401
