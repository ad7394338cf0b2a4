// Log in, then go to the page of one's role.

import { AUTH_PAYLOAD, handleAccountForm } from "./account-form.js";
import { request } from "./graphql.js";
import { HOME_BY_ROLE } from "./session.js";
import { pageReady, setUpPage } from "./ui.js";

const LOGIN = `mutation Login($email: String!, $password: String!) {
  login(email: $email, password: $password) {
    __typename
    ${AUTH_PAYLOAD}
    ... on Problem { message }
  }
}`;

async function logIn() {
  const variables = { email: document.getElementById("email").value.trim(), password: document.getElementById("password").value };
  return (await request(LOGIN, variables)).login;
}

function homeOf(session) {
  // A language chosen on this device wins; otherwise the one remembered on the account.
  if (!localStorage.getItem("coalition.lang") && session.locale) localStorage.setItem("coalition.lang", session.locale);
  return HOME_BY_ROLE[session.role] || "index.html";
}

async function main() {
  await setUpPage();
  handleAccountForm(document.getElementById("login"), { send: logIn, nextPage: homeOf });
  pageReady();
}

main();
