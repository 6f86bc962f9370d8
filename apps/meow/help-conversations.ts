/** Help for the commands that talk to a running node (`meow help init`, ...). */

export const NODE_FLAGS = `Which node (every command below):
  -d, --data-dir DIR      the node's data directory (default ./.meow-data, or MEOW_DATA_DIR):
                          it holds the API token and the address the node listens on
  --node URL              the node's local API, when not the one DIR names (or MEOW_NODE)`;

const PASSWORD = `The password: --passphrase-file FILE (one trailing newline dropped), else the
environment variable MEOW_PASSPHRASE, else it is asked on the terminal, without echo.
It is never given on the command line (every user of the machine can read those).`;

const CARD_OUTPUT = `  -o, --out FILE          write the card to FILE (raw bytes; armoured text if FILE ends in .txt)
  --qr                    print the card as a QR code on the terminal
  --png FILE              write the QR code as a PNG image
  Without --out, --qr or --png the armoured text is printed.`;

const CONTACT_FLAGS = `  --relay URL             a relay where this contact reaches you, written on your card
                          (repeatable; your node's own mesh address always comes first).
                          A URL with user:pass@ puts the password on the card, in clear.
  --hidden                keep the contact in the hidden compartment opened last`;

export const CONVERSATION_HELP: Record<string, string> = {
  init: `Usage: meow init [--passphrase-file FILE] [--remember] [-d DIR]

Creates your identity and your vault on the node, under a password that cannot be
recovered (scrypt N=2^17). The vault also holds fake hidden contacts, so that nobody can
tell whether you keep real ones. The vault is left open.

  --remember              save the password in DIR so that \`meow unlock\` needs no typing and
                          the node unlocks by itself at start: this WEAKENS security
                          (anyone who reads DIR opens your vault)
${PASSWORD}

${NODE_FLAGS}
`,
  unlock: `Usage: meow unlock [--passphrase-file FILE] [--remember] [-d DIR]

Opens your vault on the node. When it is already open, the password of a hidden
compartment adds its contacts; a wrong password says only "wrong password".

  --remember              save the password in DIR, used by the node at start too
                          (WEAKENS security; \`meow lock --forget\` deletes it)
${PASSWORD}

${NODE_FLAGS}
`,
  lock: `Usage: meow lock [--forget] [-d DIR]

Closes your vault: the node forgets its keys until the next \`meow unlock\`.
Messages keep arriving on the node, sealed, and are shown after unlocking.

  --forget                also delete a password saved by --remember

${NODE_FLAGS}
`,
  hidden: `Usage: meow hidden [--passphrase-file FILE] [-d DIR]

Creates a hidden compartment in your open vault, behind a password of its own, and
opens it. Contacts made with --hidden go there. After \`meow lock\`, \`meow unlock\` with
the main password shows the main contacts only; \`meow unlock\` again with this password
adds the hidden ones. Every vault also holds fake hidden compartments, so nobody can
tell whether a real one exists.
${PASSWORD}

${NODE_FLAGS}
`,
  'card create': `Usage: meow card create NAME [--out FILE] [--qr] [--png FILE] [--relay URL]... [--hidden]
       meow card create --keys FILE --server URL ... --out DIR   (key files, no node: meow help card files)

Invites a new contact you will call NAME: the node makes fresh keys and a mailbox for
this contact only, and a card to hand over in person, as a file or as a QR code. When
the answer comes back: meow card answer FILE.

${CARD_OUTPUT}
${CONTACT_FLAGS}

${NODE_FLAGS}
`,
  'card import': `Usage: meow card import FILE --name NAME [--out FILE] [--qr] [--png FILE] [--relay URL]... [--hidden]
       meow card import FILE --keys FILE ...   (key files, no node: meow help card files)

Reads a card (raw, armoured text, "MEOW:" QR text or hex; - for standard input).
An invitation: makes NAME a contact and gives your answer card to hand back.
An answer to your invitation: completes that contact (as meow card answer).
Your own invitation is refused. Both sides then see the same fingerprint: compare it
in person to rule out a man in the middle.

  --name NAME             what you call this contact (needed for an invitation)
${CARD_OUTPUT}
${CONTACT_FLAGS}

${NODE_FLAGS}
`,
  'card answer': `Usage: meow card answer FILE [-d DIR]

Completes a contact you invited with the answer card they sent back (any form; - for
standard input). Refuses an invitation (meow card import takes those) and an answer
made for someone else's invitation. Prints the fingerprint to compare in person.

${NODE_FLAGS}
`,
  'card show': `Usage: meow card show CONTACT [--out FILE] [--qr] [--png FILE]
       meow card show FILE|-

With a CONTACT: your card for that contact again (to hand it over once more).
With a FILE (or - for standard input): verifies the card and prints it as JSON with
the fingerprint of the contact key it carries; exit 2 if it is not a valid card.

${CARD_OUTPUT}

${NODE_FLAGS}
`,
  contacts: `Usage: meow contacts [--json] [-d DIR]

Lists your contacts: invited (waiting for their answer) or active, hidden ones while
their compartment is open, unread counts, policy and fingerprint.

${NODE_FLAGS}
`,
  send: `Usage: meow send CONTACT TEXT [--wait SECONDS] [-d DIR]

Sends TEXT to CONTACT (a name from meow contacts). "queued" means it is on your
node's disk and survives a restart; then "sent into the mesh", "deposited on a relay",
"delivered to their device", or "failed" with the reason.

  --wait SECONDS          print each state as it changes, until delivered or failed
                          (exit 1 if it failed)

${NODE_FLAGS}
`,
  inbox: `Usage: meow inbox [CONTACT...] [--wait SECONDS] [--limit N] [-d DIR]

Prints the messages you received (all contacts, or those named), oldest first.

  --wait SECONDS          when there is none yet, wait up to SECONDS for one
  --limit N               at most N recent messages per contact (default 20)

${NODE_FLAGS}
`,
  chat: `Usage: meow chat CONTACT [-d DIR]

A conversation in the terminal: the last messages, then every line you type is sent;
messages from CONTACT and the state of yours (queued, sent, deposited, delivered,
failed) appear as they happen. /quit or Ctrl-D leaves.

${NODE_FLAGS}
`,
  policy: `Usage: meow policy CONTACT [server RELAY... | direct [RELAY...] | matriochka RELAY...] [-d DIR]

Shows, or sets, how messages to CONTACT travel (whitepaper 1.2.4):
  server RELAY...         only through these relays, tried in this order
  direct [RELAY...]       over the mesh or LAN to the node hosting their mailbox, then
                          through these relays (your own server) when that fails
  matriochka RELAY...     onion routing through a chain of relays (whitepaper 1.2.2): the first
                          one of these trusted relays (give them pinned, URL#k=FINGERPRINT),
                          random middles, the contact's relay last; the node's config "onion"
                          sets hops and delays. When no chain can be built the message fails
                          with the reason: it is never silently sent another way

${NODE_FLAGS}
`,
};
