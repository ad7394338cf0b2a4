"""The GraphQL enums are written out (so that mypy reads them as enums); each must still be its
contract's members, upper-cased names with the wire names as values, in the contract's order."""

from __future__ import annotations

import enum

import pytest

from gateway.schema import enums


@pytest.mark.parametrize("graphql", list(enums._CONTRACT_OF), ids=lambda graphql: graphql.__name__)
def test_each_graphql_enum_is_its_contract_in_upper_case(graphql):
    contract = enums._CONTRACT_OF[graphql]
    assert graphql.__name__ == contract.__name__
    assert [(member.name, member.value) for member in graphql] == [(m.name.upper(), m.name) for m in contract]


def test_every_enum_of_the_module_has_its_contract():
    defined = {value for value in vars(enums).values() if isinstance(value, type) and issubclass(value, enum.Enum)}
    contracts = set(enums._CONTRACT_OF.values())
    assert defined - contracts == set(enums._CONTRACT_OF)


@pytest.mark.parametrize(("wire", "expected"), [("capable", enums.SkillLevel.CAPABLE), (2, enums.SkillLevel.CAPABLE)])
def test_from_wire_reads_names_and_the_contracts_numbers(wire, expected):
    assert enums.from_wire(enums.SkillLevel, wire) is expected
