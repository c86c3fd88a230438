"""Case styles, English plurals and the identifier checks of blueprintgen.naming."""

from __future__ import annotations

import pytest

from blueprintgen import naming
from blueprintgen.naming import (
    SQL_RESERVED,
    InvalidNameError,
    camel,
    check_identifier,
    check_resource_name,
    is_python_keyword,
    kebab,
    pascal,
    plural,
    singular,
    snake,
    split_words,
)


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("user", ["user"]),
        ("BlogPost", ["blog", "post"]),
        ("blogPost", ["blog", "post"]),
        ("blog_post", ["blog", "post"]),
        ("blog-post", ["blog", "post"]),
        ("Blog Post", ["blog", "post"]),
        ("HTTPServer", ["http", "server"]),
        ("APIKey", ["api", "key"]),
        ("item2Name", ["item2", "name"]),
        ("blog__post", ["blog", "post"]),
        ("  padded  ", ["padded"]),
        ("", []),
    ],
)
def test_split_words(text: str, words: list[str]) -> None:
    assert split_words(text) == words


@pytest.mark.parametrize("text", ["BlogPost", "blogPost", "blog_post", "blog-post", "Blog Post"])
def test_case_styles_agree_whatever_the_input(text: str) -> None:
    assert snake(text) == "blog_post"
    assert pascal(text) == "BlogPost"
    assert camel(text) == "blogPost"
    assert kebab(text) == "blog-post"


def test_case_styles_of_single_words_and_acronyms() -> None:
    assert (snake("user"), pascal("user"), camel("user"), kebab("user")) == ("user", "User", "user", "user")
    assert pascal("http_server") == "HttpServer"
    assert snake("HTTPServer") == "http_server"
    assert camel("") == ""


@pytest.mark.parametrize(
    ("one", "many"),
    [
        ("user", "users"),
        ("category", "categories"),
        ("person", "people"),
        ("status", "statuses"),
        ("box", "boxes"),
        ("child", "children"),
        ("man", "men"),
        ("woman", "women"),
        ("leaf", "leaves"),
        ("knife", "knives"),
        ("analysis", "analyses"),
        ("crisis", "crises"),
        ("bus", "buses"),
        ("address", "addresses"),
        ("church", "churches"),
        ("dish", "dishes"),
        ("quiz", "quizzes"),
        ("buzz", "buzzes"),
        ("day", "days"),
        ("key", "keys"),
        ("hero", "heroes"),
        ("photo", "photos"),
        ("roof", "roofs"),
        ("movie", "movies"),
        ("cache", "caches"),
        ("house", "houses"),
        ("alias", "aliases"),
        ("matrix", "matrices"),
        ("index", "indexes"),
        ("criterion", "criteria"),
        ("mouse", "mice"),
        ("tooth", "teeth"),
        ("response", "responses"),
        ("database", "databases"),
        ("base", "bases"),
        ("invoice", "invoices"),
        ("blog_post", "blog_posts"),
        ("sales_person", "sales_people"),
        ("order_item", "order_items"),
        ("blog-entry", "blog-entries"),
    ],
)
def test_plural_and_singular_are_inverse(one: str, many: str) -> None:
    assert plural(one) == many
    assert singular(many) == one
    assert singular(one) == one, "singular of a singular is unchanged"


@pytest.mark.parametrize("word", ["data", "metadata", "news", "series", "species", "information", "feedback"])
def test_uncountable_words_stay_the_same(word: str) -> None:
    assert plural(word) == word
    assert singular(word) == word


def test_plural_keeps_the_case_of_the_last_word() -> None:
    assert plural("Category") == "Categories"
    assert plural("BlogPost") == "BlogPosts"
    assert plural("blogPerson") == "blogPeople"
    assert plural("PERSON") == "PEOPLE"
    assert singular("BlogPosts") == "BlogPost"
    assert plural("user_data") == "user_data"


@pytest.mark.parametrize("word", ["class", "glass", "campus", "virus", "axis", "gas", "lens"])
def test_singular_leaves_words_that_end_in_s_alone(word: str) -> None:
    assert singular(word) == word


def test_is_python_keyword() -> None:
    for word in ["class", "def", "None", "True", "async", "await", "lambda", "from"]:
        assert is_python_keyword(word)
    for word in ["match", "case", "type", "_"]:
        assert is_python_keyword(word), f"{word} is a soft keyword"
    for word in ["user", "list", "id", "status"]:
        assert not is_python_keyword(word)


@pytest.mark.parametrize(
    ("name", "canonical"),
    [
        ("user", "user"),
        ("BlogPost", "blog_post"),
        ("blog_post", "blog_post"),
        ("blog-post", "blog_post"),
        ("blogPost", "blog_post"),
        ("  item  ", "item"),
        ("Item2", "item2"),
        ("a", "a"),
    ],
)
def test_check_identifier_accepts_and_canonicalises(name: str, canonical: str) -> None:
    assert check_identifier(name, "resource name") == canonical


@pytest.mark.parametrize(
    ("name", "fragment"),
    [
        ("", "must not be empty"),
        ("   ", "must not be empty"),
        ("2fast", "must not start with a digit"),
        ("_private", "must start with a letter"),
        ("-dash", "must start with a letter"),
        ("blog post", "may only contain"),
        ("naïve", "may only contain"),
        ("blog.post", "may only contain"),
        ("class", "Python keyword"),
        ("Class", "Python keyword"),
        ("lambda", "Python keyword"),
        ("match", "soft keyword"),
        ("type", "soft keyword"),
        ("list", "shadow the Python builtin list()"),
        ("id", "shadow the Python builtin id()"),
        ("filter", "shadow the Python builtin"),
        ("a" * 41, "longer than 40"),
    ],
)
def test_check_identifier_refuses(name: str, fragment: str) -> None:
    with pytest.raises(InvalidNameError, match="resource name") as caught:
        check_identifier(name, "resource name")
    assert fragment in str(caught.value)
    assert caught.value.what == "resource name"
    assert isinstance(caught.value, ValueError)


def test_check_identifier_may_allow_builtins_but_never_keywords() -> None:
    assert check_identifier("filter", "field name", allow_builtins=True) == "filter"
    assert check_identifier("Id", "field name", allow_builtins=True) == "id"
    with pytest.raises(InvalidNameError, match="keyword"):
        check_identifier("type", "field name", allow_builtins=True)
    with pytest.raises(InvalidNameError, match="keyword"):
        check_identifier("import", "field name", allow_builtins=True)


def test_check_identifier_refuses_non_strings() -> None:
    with pytest.raises(InvalidNameError):
        check_identifier(None, "name")  # type: ignore[arg-type]


def test_sql_reserved_words() -> None:
    for word in ["user", "order", "group", "select", "table", "where", "default", "values", "index"]:
        assert word in SQL_RESERVED
    for word in ["users", "orders", "groups", "items", "name", "status", "key", "data"]:
        assert word not in SQL_RESERVED


@pytest.mark.parametrize(
    ("name", "plural_name", "expected"),
    [
        ("user", None, ("user", "users")),
        ("order", None, ("order", "orders")),
        ("group", None, ("group", "groups")),
        ("BlogPost", None, ("blog_post", "blog_posts")),
        ("person", None, ("person", "people")),
        ("person", "persons", ("person", "persons")),
        ("octopus", "octopi", ("octopus", "octopi")),
        ("datum", None, ("datum", "data")),
        ("news_item", None, ("news_item", "news_items")),
    ],
)
def test_check_resource_name(name: str, plural_name: str | None, expected: tuple[str, str]) -> None:
    assert check_resource_name(name, plural_name) == expected


@pytest.mark.parametrize(
    ("name", "plural_name", "fragment"),
    [
        ("data", None, "is its own plural"),
        ("series", None, "is its own plural"),
        ("item", "item", "is its own plural"),
        ("order", "order", "is its own plural"),
        ("choice", "select", "SQL reserved word"),
        ("usr", "user", "SQL reserved word"),
        ("thing", "table", "SQL reserved word"),
        ("list", None, "builtin"),
        ("class", None, "keyword"),
        ("item", "2items", "must not start with a digit"),
        ("item", "class", "keyword"),
    ],
)
def test_check_resource_name_refuses(name: str, plural_name: str | None, fragment: str) -> None:
    with pytest.raises(InvalidNameError) as caught:
        check_resource_name(name, plural_name)
    assert fragment in str(caught.value)


def test_public_names_are_exported() -> None:
    for name in naming.__all__:
        assert hasattr(naming, name)
