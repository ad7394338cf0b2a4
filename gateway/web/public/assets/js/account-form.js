// Log-in and sign-up forms share one flow: send the form's mutation, open the session it answers
// with and go on to the next page, or show the problem next to the fields it concerns.

import { saveSession } from "./session.js";
import { busy, clearProblems, showError, showProblem } from "./ui.js";

// What a session needs from an AuthPayload; each form's mutation selects it.
export const AUTH_PAYLOAD = "... on AuthPayload { token expiresAt viewer { role locale } }";

// send() resolves to the mutation's result; nextPage(session) says where to go once signed in;
// fieldIds maps the server's field names to the ids of the inputs that differ from them (or is a
// function giving that map for what was just sent).
export function handleAccountForm(form, { send, nextPage, fieldIds = {} }) {
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const button = form.querySelector("button[type='submit']");
    clearProblems(form);
    busy(button, true);
    try {
      const result = await send();
      if (result.__typename === "AuthPayload") {
        window.location.assign(nextPage(saveSession(result)));
        return;
      }
      showProblem(form, result, typeof fieldIds === "function" ? fieldIds() : fieldIds);
    } catch (error) {
      showError(form, error);
    } finally {
      busy(button, false);
    }
  });
}
