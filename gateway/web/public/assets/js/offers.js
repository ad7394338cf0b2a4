// What the volunteer's page reads of an offer, shared by its lists and the task they came for.

import { PUBLIC_TASK_FIELDS } from "./tasks.js";

export const OFFER_FIELDS = `fragment OfferFields on Offer {
  id taskId status reasons taskTitle expiresAt createdAt withdrawnBecause address details task { ...PublicTaskFields }
} ${PUBLIC_TASK_FIELDS}`;
