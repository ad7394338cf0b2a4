// The task form's series controls: how a new task repeats, and whether an edit applies to the
// following occurrences too.

import { request } from "./graphql.js";

export const SERIES_RESULT = `__typename ... on Series { id status tasks { ...TaskFields } } ... on Problem { message }
  ... on ValidationProblem { fields { field message } }`;

export function showRepeat() {
  const repeating = Boolean(document.getElementById("repeat").value);
  for (const node of document.querySelectorAll("[data-repeat]")) node.hidden = !repeating;
}

// Null when the task does not repeat.
export function readRepeat() {
  const chosen = document.getElementById("repeat").value;
  if (!chosen) return null;
  const count = Number(document.getElementById("repeat-count").value) || null;
  const until = document.getElementById("repeat-until").value || null;
  return { frequency: chosen === "MONTHLY" ? "MONTHLY" : "WEEKLY", everyTwoWeeks: chosen === "BIWEEKLY", count, until };
}

// Editing an occurrence: the series choice gives way to "this and the following".
export function showSeriesChoices(task) {
  document.getElementById("repeat-fields").hidden = Boolean(task);
  document.getElementById("following-field").hidden = !(task && task.seriesId);
  document.getElementById("following").checked = false;
}

export function applyToFollowing() {
  return !document.getElementById("following-field").hidden && document.getElementById("following").checked;
}

export async function postSeries(input, repeat, fragment) {
  const { draft, ...task } = input;
  return (await request(`mutation PostSeries($input: SeriesInput!) { postSeries(input: $input) { ${SERIES_RESULT} } } ${fragment}`,
    { input: { task: { ...task, draft }, repeat } })).postSeries;
}

export async function updateFollowing(task, input, fragment) {
  const { startsAt, endsAt, deadline, ...changes } = input;  // times move one occurrence at a time here
  return (await request(`mutation UpdateFollowing($series: ID!, $task: ID!, $input: FollowingUpdateInput!) {
    updateFollowing(seriesId: $series, fromTaskId: $task, input: $input) { ${SERIES_RESULT} } } ${fragment}`,
  { series: task.seriesId, task: task.id, input: changes })).updateFollowing;
}

export async function cancelSeries(task, fragment) {
  return (await request(`mutation CancelSeries($series: ID!) { cancelSeries(seriesId: $series) { ${SERIES_RESULT} } } ${fragment}`,
    { series: task.seriesId })).cancelSeries;
}
