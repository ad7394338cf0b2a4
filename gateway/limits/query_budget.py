"""Rejects over-deep, over-costly and alias-heavy operations before anything executes.

One validation rule walks each operation once and measures:

* depth: nesting of selections (introspection fields are not counted);
* cost: every field costs 1, and a field's selections count once per item it may return: the
  page size for a paginated field (its ``first`` argument, or the largest page when it comes
  from a variable, since variables are not known at validation), ``LIST_FACTOR`` for a plain
  list;
* aliases: each one lets a client ask for the same expensive field again.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLList,
    GraphQLNonNull,
    InlineFragmentNode,
    IntValueNode,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    ValidationRule,
    VariableNode,
    get_named_type,
)
from strawberry.extensions import AddValidationRules

LIST_FACTOR = 10


@dataclass(frozen=True)
class Budget:
    max_depth: int
    max_cost: int
    max_aliases: int
    max_page_size: int
    default_page_size: int = 20


@dataclass
class Measure:
    depth: int = 0
    cost: int = 0
    aliases: int = 0


# One rule class per budget: the schema builds a QueryBudget for each request, and strawberry's
# ValidationCache keys on the validation rules. A new class each time made every request a
# cache miss, so each postTask was validated in full again (a quarter of the gateway's CPU at
# 50 tasks/s in bench/e2e_bench.py).
@cache
def budget_rule(budget: Budget) -> type[ValidationRule]:
    class QueryBudgetRule(ValidationRule):
        def enter_operation_definition(self, node: OperationDefinitionNode, *_args):
            root = self._root_type(node.operation)
            if root is None:
                return
            fragments = {
                d.name.value: d for d in self.context.document.definitions if isinstance(d, FragmentDefinitionNode)
            }
            walker = _Walker(budget, fragments, self.context.schema, self)
            measure = Measure()
            measure.cost = walker.selection_cost(node.selection_set, root, 1, measure, frozenset())
            self._check(node, measure)

        def _root_type(self, operation: OperationType):
            schema = self.context.schema
            return {
                OperationType.QUERY: schema.query_type,
                OperationType.MUTATION: schema.mutation_type,
                OperationType.SUBSCRIPTION: schema.subscription_type,
            }.get(operation)

        def _check(self, node: OperationDefinitionNode, measure: Measure) -> None:
            name = node.name.value if node.name else "the operation"
            if measure.depth > budget.max_depth:
                self.report_error(
                    GraphQLError(
                        f"Query too deep: {name} nests {measure.depth} levels; the limit is {budget.max_depth}.",
                        node,
                        extensions={"code": "QUERY_TOO_DEEP"},
                    )
                )
            if measure.cost > budget.max_cost:
                self.report_error(
                    GraphQLError(
                        f"Query too costly: {name} may fetch about {measure.cost} fields; the limit is "
                        f"{budget.max_cost}. Ask for fewer fields or smaller pages (first).",
                        node,
                        extensions={"code": "QUERY_TOO_COSTLY"},
                    )
                )
            if measure.aliases > budget.max_aliases:
                self.report_error(
                    GraphQLError(
                        f"Too many aliases: {name} uses {measure.aliases}; the limit is {budget.max_aliases}.",
                        node,
                        extensions={"code": "TOO_MANY_ALIASES"},
                    )
                )

        def page_size_error(self, node: FieldNode, value: int) -> None:
            self.report_error(
                GraphQLError(
                    f"first must be between 1 and {budget.max_page_size} (got {value}).",
                    node,
                    extensions={"code": "PAGE_TOO_LARGE"},
                )
            )

    return QueryBudgetRule


class _Walker:
    def __init__(self, budget: Budget, fragments, schema, rule):
        self.budget = budget
        self.fragments = fragments
        self.schema = schema
        self.rule = rule

    def selection_cost(
        self,
        selection_set: SelectionSetNode | None,
        parent_type,
        depth: int,
        measure: Measure,
        seen_fragments: frozenset[str],
        in_page: bool = False,
    ) -> int:
        if selection_set is None:
            return 0
        total = 0
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                total += self.field_cost(selection, parent_type, depth, measure, seen_fragments, in_page)
            elif isinstance(selection, InlineFragmentNode):
                fragment_type = self._condition_type(selection, parent_type)
                total += self.selection_cost(
                    selection.selection_set, fragment_type, depth, measure, seen_fragments, in_page
                )
            elif isinstance(selection, FragmentSpreadNode):
                name = selection.name.value
                fragment = self.fragments.get(name)
                if fragment is None or name in seen_fragments:
                    continue  # unknown or cyclic fragments are reported by the standard rules
                fragment_type = self._condition_type(fragment, parent_type)
                total += self.selection_cost(
                    fragment.selection_set, fragment_type, depth, measure, seen_fragments | {name}, in_page
                )
        return total

    def field_cost(
        self, node: FieldNode, parent_type, depth: int, measure: Measure, seen_fragments: frozenset[str], in_page: bool
    ) -> int:
        name = node.name.value
        if name.startswith("__"):
            return 0  # introspection: answered from the schema, costs nothing to the services
        if node.alias is not None:
            measure.aliases += 1
        if node.selection_set is not None:
            measure.depth = max(measure.depth, depth)
        definition = getattr(get_named_type(parent_type), "fields", {}).get(name) if parent_type else None
        field_type = definition.type if definition else None
        page_size = self._page_size(node, definition)
        if page_size is not None:
            factor, children_in_page = page_size, True
        elif _is_list(field_type) and not in_page:
            factor, children_in_page = LIST_FACTOR, False
        else:
            factor, children_in_page = 1, False
        children = self.selection_cost(
            node.selection_set, field_type, depth + 1, measure, seen_fragments, children_in_page
        )
        return 1 + factor * children

    def _page_size(self, node: FieldNode, definition) -> int | None:
        if definition is None or "first" not in definition.args:
            return None
        for argument in node.arguments or ():
            if argument.name.value != "first":
                continue
            if isinstance(argument.value, IntValueNode):
                value = int(argument.value.value)
                if not 1 <= value <= self.budget.max_page_size:
                    self.rule.page_size_error(node, value)
                return max(1, min(value, self.budget.max_page_size))
            if isinstance(argument.value, VariableNode):
                return self.budget.max_page_size
        default = definition.args["first"].default_value
        return default if isinstance(default, int) else self.budget.default_page_size

    def _condition_type(self, node, parent_type):
        condition = getattr(node, "type_condition", None)
        if condition is None:
            return parent_type
        return self.schema.get_type(condition.name.value) or parent_type


def _is_list(field_type) -> bool:
    while isinstance(field_type, GraphQLNonNull):
        field_type = field_type.of_type
    return isinstance(field_type, GraphQLList)


class QueryBudget(AddValidationRules):
    """Strawberry extension installing the budget rule."""

    def __init__(self, budget: Budget):
        super().__init__([budget_rule(budget)])
