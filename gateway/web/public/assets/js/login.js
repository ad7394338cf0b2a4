// Log in, then go to the page of one's role.

import { request } from "./graphql.js";
import { HOME_BY_ROLE, saveSession } from "./session.js";
import { busy, clearProblems, pageReady, setUpPage, showError, showProblem } from "./ui.js";

const LOGIN = `mutation Login($email: String!, $password: String!) {
  login(email: $email, password: $password) {
    __typename
    ... on AuthPayload { token expiresAt viewer { role locale } }
    ... on Problem { message }
  }
}`;

async function submit(event) {
  event.preventDefault();
  const form = event.target;
  const button = document.getElementById("submit");
  clearProblems(form);
  busy(button, true);
  try {
    const variables = { email: document.getElementById("email").value.trim(), password: document.getElementById("password").value };
    const result = (await request(LOGIN, variables)).login;
    if (result.__typename === "AuthPayload") {
      const session = saveSession(result);
      // A language chosen on this device wins; otherwise the one remembered on the account.
      if (!localStorage.getItem("coalition.lang") && session.locale) localStorage.setItem("coalition.lang", session.locale);
      window.location.assign(HOME_BY_ROLE[session.role] || "index.html");
      return;
    }
    showProblem(form, result);
  } catch (error) {
    showError(form, error);
  } finally {
    busy(button, false);
  }
}

async function main() {
  await setUpPage();
  document.getElementById("login").addEventListener("submit", submit);
  pageReady();
}

main();
