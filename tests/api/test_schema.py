"""The public contract as built: checked in, described everywhere, true to shared/contract.graphql."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLObjectType,
    is_specified_scalar_type,
    parse,
    print_type,
)
from graphql.language import (
    EnumTypeDefinitionNode,
    EnumTypeExtensionNode,
    InputObjectTypeDefinitionNode,
    InputObjectTypeExtensionNode,
    InterfaceTypeDefinitionNode,
    ObjectTypeDefinitionNode,
    ObjectTypeExtensionNode,
    print_ast,
)
from graphql.utilities import ast_from_value

from registry.api.schema import schema

ROOT = Path(__file__).resolve().parents[2]
SDL = ROOT / "graphql" / "schema.graphql"
CONTRACT = ROOT / "graphql" / "contract.graphql"
SHARED_CONTRACT = ROOT.parent / "shared" / "contract.graphql"
SHARED_NEXT = ROOT.parent / "shared" / "contract-next.graphql"

# Parts of the contract not built yet (none left: the whole contract is served).
NOT_YET_BUILT: frozenset[str] = frozenset()


def test_checked_in_sdl_matches_the_schema():
    assert SDL.read_text() == schema.as_str() + "\n", "graphql/schema.graphql is stale: run `make schema`"


def _check(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "registry.cli", "schema", "--check", *args], cwd=ROOT, capture_output=True, text=True
    )


def test_schema_check_command_passes_on_the_checked_in_sdl():
    result = _check()
    assert result.returncode == 0 and "up to date" in result.stdout, result.stderr


def test_schema_check_command_fails_on_a_stale_sdl(tmp_path):
    stale = tmp_path / "schema.graphql"
    stale.write_text(SDL.read_text().replace("type Credential ", "type Listing "))
    result = _check("--file", str(stale))
    assert result.returncode == 1 and "stale" in result.stderr


def _own_types():
    """Our types: not GraphQL's introspection or scalars, not Apollo Federation's plumbing."""
    for name, graphql_type in schema._schema.type_map.items():
        if name.startswith("_") or is_specified_scalar_type(graphql_type) or name in {"link__Import", "link__Purpose"}:
            continue
        yield name, graphql_type


def test_every_type_field_argument_and_value_has_a_description():
    missing = []
    for name, graphql_type in _own_types():
        if not graphql_type.description:
            missing.append(name)
        if isinstance(graphql_type, (GraphQLObjectType, GraphQLInterfaceType, GraphQLInputObjectType)):
            for field_name, field in graphql_type.fields.items():
                if field_name.startswith("_"):
                    continue
                if not field.description:
                    missing.append(f"{name}.{field_name}")
                for arg_name, arg in getattr(field, "args", {}).items():
                    if not arg.description:
                        missing.append(f"{name}.{field_name}({arg_name})")
        if isinstance(graphql_type, GraphQLEnumType):
            missing += [f"{name}.{value}" for value, v in graphql_type.values.items() if not v.description]
    assert not missing


def _contract():
    return parse(CONTRACT.read_text())


FOLDED = "\n# ---- Folded from contract-next.graphql"


def test_the_kept_contract_is_the_shared_one_plus_what_is_built_of_the_next():
    # graphql/contract.graphql is the shared contract, kept in the repository so that every
    # checkout (CI's included) tests against it, followed by the parts of contract-next.graphql
    # built so far. Where the shared folder sits beside the repository, neither has drifted:
    # the core is the shared file, and every folded field is in contract-next as written.
    core, _, folded = CONTRACT.read_text().partition(FOLDED)
    if SHARED_CONTRACT.exists():
        assert core == SHARED_CONTRACT.read_text()
    if SHARED_NEXT.exists():
        next_fields = _extension_fields(parse(SHARED_NEXT.read_text()))
        assert _extension_fields(parse(folded.partition("\n")[2])) <= next_fields


def _extension_fields(document) -> set[tuple[str, str, str]]:
    """(type, field, printed field) of every type extension in ``document``."""
    return {
        (definition.name.value, field.name.value, print_ast(field))
        for definition in document.definitions
        if isinstance(definition, EXTENSIONS)
        for field in getattr(definition, "fields", None) or getattr(definition, "values", None) or ()
    }


KINDS = {
    ObjectTypeDefinitionNode: GraphQLObjectType,
    ObjectTypeExtensionNode: GraphQLObjectType,
    InterfaceTypeDefinitionNode: GraphQLInterfaceType,
    InputObjectTypeDefinitionNode: GraphQLInputObjectType,
    InputObjectTypeExtensionNode: GraphQLInputObjectType,
    EnumTypeDefinitionNode: GraphQLEnumType,
    EnumTypeExtensionNode: GraphQLEnumType,
}
EXTENSIONS = (ObjectTypeExtensionNode, InputObjectTypeExtensionNode, EnumTypeExtensionNode)


def test_schema_keeps_every_name_and_shape_of_the_contract():
    differences = []
    for definition in _contract().definitions:
        kind = KINDS.get(type(definition))
        name = definition.name.value
        if kind is None or name in NOT_YET_BUILT:
            continue
        built = schema._schema.type_map.get(name)
        if not isinstance(built, kind):
            differences.append(f"{name}: missing or not a {kind.__name__}")
            continue
        if isinstance(built, GraphQLEnumType):
            differences += [f"{name}.{v.name.value}" for v in definition.values if v.name.value not in built.values]
            continue
        for field in definition.fields:
            key = f"{name}.{field.name.value}"
            if key in NOT_YET_BUILT:
                continue
            ours = built.fields.get(field.name.value)
            if ours is None or str(ours.type) != print_ast(field.type):
                differences.append(f"{key}: {ours and ours.type} instead of {print_ast(field.type)}")
                continue
            for arg in getattr(field, "arguments", None) or []:
                our_arg = ours.args.get(arg.name.value)
                if our_arg is None or str(our_arg.type) != print_ast(arg.type):
                    differences.append(f"{key}({arg.name.value}): type")
                elif arg.default_value is not None and _default(our_arg) != print_ast(arg.default_value):
                    differences.append(f"{key}({arg.name.value}): default {_default(our_arg)}")
    assert not differences, "\n".join(differences)


def _default(arg) -> str | None:
    literal = ast_from_value(arg.default_value, arg.type)
    return print_ast(literal) if literal is not None else None


def test_connections_of_the_contract_have_the_credential_connection_shape():
    for name in ("ProviderConnection", "RecognitionAuthorityConnection", "SkillConnection", "OccupationConnection"):
        printed = print_type(schema._schema.type_map[name])
        for field in ("edges:", "nodes:", "pageInfo: PageInfo!", "totalCount: Int!"):
            assert field in printed, f"{name} lacks {field}"
