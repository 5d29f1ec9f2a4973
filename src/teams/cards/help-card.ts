import { adaptiveCard, heading, text, type AdaptiveCard } from "./card-types.js";

/** What the bot understands, for everyone and for admins. */
export const helpCard = (isAdmin: boolean): AdaptiveCard =>
  adaptiveCard([
    heading("Access Desk"),
    text("In our chat you can type:"),
    text(
      [
        "- **request access**: ask for access (add your reason after the words to send it at once)",
        "- **status**: what access you have, or where your request stands",
        "- **cancel**: withdraw your pending request",
        "- **help**: this list",
      ].join("\n"),
    ),
    ...(isAdmin
      ? [
          text("For admins:", { weight: "Bolder", spacing: "Medium" }),
          text(
            [
              "- **pending**: the requests waiting for you",
              "- in a team channel, mention me with **use this channel for approvals** to receive request cards there",
              "- **start access review** (MSP Admins): every user is reviewed, keep or revoke, before a deadline",
            ].join("\n"),
          ),
        ]
      : []),
  ]);
