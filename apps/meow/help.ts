/** Help texts: `meow --help`, `meow help COMMAND`, `meow COMMAND --help`. */
import { CONVERSATION_HELP } from './help-conversations.ts';

const PASSPHRASE = `  --passphrase-file FILE  read the passphrase from FILE (one trailing newline is dropped)
  --no-passphrase         the identity is (or is to be) stored without a passphrase
                          (unattended nodes only: anyone who reads the file has the keys)
  The passphrase may also come from the environment variable MEOW_PASSPHRASE.`;

export const HELP: Record<string, string> = {
  main: `meow: Meow mesh messaging tools

Usage: meow <command> [options]

With a running meow-node (npm start, or npx meow-node):
  init            create your identity and vault on the node (asks for a password)
  unlock          open your vault (or a hidden compartment); lock closes it
  hidden          create a hidden compartment behind its own password
  card create     invite a contact: a card to hand over (file, text, QR code, PNG)
  card import     accept a contact's invitation (gives your answer card back)
  card answer     complete your invitation with the answer they sent back
  card show       your card for a contact again, or any card file as JSON
  contacts        list your contacts
  send            send a message; inbox lists the ones you received
  chat            talk with one contact in the terminal, live
  policy          how messages to a contact travel (relays, mesh, order)
  group, broadcast, directory, introduce   groups, emergency broadcasts, the
                  "free for chat" directory, introducing two contacts
  status          the node's neighbours, routes, queues, airtime and API address
  sensors         a collector node's field sensor readings: latest, history, CSV/JSON

Without a node:
  keygen          create an identity file (the key-file forms of card create|import use it)
  inspect         decode a card, key file, envelope or frame and print JSON
  doctor          check the radio, GPIO, data directory and relays of this machine
  help COMMAND    help for one command (meow help card create)

Which node: -d/--data-dir DIR (default ./.meow-data, or MEOW_DATA_DIR), --node URL.

Exit codes: 0 ok, 1 runtime failure (no node answers, locked), 2 bad input or usage.
`,
  keygen: `Usage: meow keygen --out FILE [--force] [passphrase options]

Creates a new identity (Ukp: Ed25519 + X25519) and writes it to FILE, mode 0600,
sealed with scrypt (N=2^17, r=8, p=1) and XChaCha20-Poly1305.

  --out FILE              where to write the identity file (required)
  --force                 replace an existing file (its keys are lost)
${PASSPHRASE}
`,
  card: `Usage: meow card <create|import|answer|show> ...   (meow help card create, ...)
`,
  'card create --keys': `Usage: meow card create --keys FILE --server URL [--server URL ...] --out DIR [--name NAME] [--qr]

Makes the keys for one new contact (Ckp, Ekp, Lkp) and an invite card listing your servers.
Writes DIR/NAME.card (binary), DIR/NAME.card.txt (armoured text) and DIR/NAME.contact
(the contact's secret keys, sealed under your identity). Hand the card over in person,
by file or as the QR code (--qr prints it on the terminal).

  --keys FILE             your identity file (from meow keygen)
  --server URL            a server for this contact to reach you, up to 8, e.g.
                          https://user:pass@host:8443  mqtt://host:1883  udp://host:41325
                          serial://dev/ttyS0  mesh://<64 hex digits of a node key>
                          (mesh://<16 hex digits of a node id> also works, but then
                          a message from beyond one hop cannot prove its node)
  --out DIR               directory for the three files
  --name NAME             file name stem (default: invite-<mailbox id prefix>)
  --qr                    print the card as a QR code
${PASSPHRASE}
`,
  'card import --keys': `Usage: meow card import FILE --keys FILE [--server URL ...] [--out DIR] [--contact FILE] [--name NAME] [--qr]

Verifies a contact's card.
  An invite: makes your keys for this contact and the answer card (needs --server and --out),
             writes DIR/NAME.card, .card.txt and .contact as card create does.
  An answer: needs --contact, the .contact file of the invite it answers; refuses an answer
             made for another invite, then stores the contact's card in that file.
Both print the pair fingerprint: read it aloud to your contact to rule out a man in the middle.
${PASSPHRASE}
`,
  status: `Usage: meow status [--url URL] [--json] [-d DIR]

Asks a running meow-node for its state: neighbours and link quality, routes, queue
depths, airtime and duty cycle, on a gateway its relays; then the node's local API
address and, when the node serves it, the web client's address for phones.

  --url URL               the status endpoint (default: the node of -d DIR, else
                          http://127.0.0.1:8471/status, or MEOW_STATUS_URL)
  --json                  print the raw status document
  -d, --data-dir DIR      the node's data directory (default ./.meow-data, or MEOW_DATA_DIR)
  --node URL              the node's local API address
`,
  sensors: `Usage: meow sensors [SOURCE[/SENSOR]] [--limit N] [--latest] [--csv|--json] [-d DIR]

The readings a collector node stored from its field sensor relays
(its "collector" block; docs/HARDWARE.md "Field sensors"): the latest of each
sensor, then the history, oldest first (times in UTC).

  SOURCE[/SENSOR]         one sensor relay, or one of its sensors
  --limit N               the newest N readings of the history (default 100, at most 10000)
  --latest                only the latest reading of each sensor
  --csv                   the history (or, with --latest, the latest) as CSV
  --json                  both, as JSON (docs/API.md "Field sensors")
`,
  inspect: `Usage: meow inspect [--as card|key-file|gateway-request|envelope|frame] [FILE|-]

Reads a card, key file (identity or .contact: only how it is sealed, never its keys),
gateway request, envelope or mesh frame from FILE or standard input (raw bytes,
armoured text, "MEOW:" QR text or hex; at most 1 MiB) and prints what it holds as JSON.
Without --as the first decoder that accepts the bytes wins, in that order (a mesh
frame has no magic: use --as frame when one parses as an envelope). Exit 2 if
nothing recognises the input.
`,
  group: `Usage: meow group <create|invite|join|send|list|remove|leave> ...

  meow group create NAME [--my-name NAME]    a new group; you are its admin, shown to
                                             the members as NAME (default "admin")
  meow group invite GROUP CONTACT [--as NAME]  the invitation goes in your 1:1 conversation
  meow group join GROUP                      accept an invitation (meow group list shows them)
  meow group send GROUP TEXT                 one sealed copy to every other member
  meow group list                            groups, members, messages, invitations
  meow group remove GROUP MEMBER             admin: new keys the removed member never sees
  meow group leave GROUP
GROUP is a group's name or id. The node must be running and unlocked.
`,
  broadcast: `Usage: meow broadcast <send TEXT [--ttl SECONDS]|list|trust KEY [--as NAME]>

Emergency broadcasts, shown apart from conversations: send floods the local mesh
and posts to your relays; list polls the relays and shows what was received. A
broadcast from the mesh is shown only when its author's key (list shows yours)
was trusted with meow broadcast trust; every signature is checked first.
`,
  directory: `Usage: meow directory <publish TEXT|withdraw|browse [QUERY]|random|contact ID> [--relay URL]

"Free for chat" on a relay: publish a short description with a fresh identity that
reveals nothing else, withdraw it, browse or pick one at random. contact ID starts a
conversation from an entry: a new contact with keys made for it alone; your answer
goes sealed to the entry's mailbox and the publisher's node completes the contact
(the entry is then withdrawn: one entry, one contact).
`,
  introduce: `Usage: meow introduce CONTACT_A CONTACT_B [--a-name NAME] [--b-name NAME]

Offers two of your contacts to each other. Each must accept (meow intro accept ID);
they then get a new contact with fresh keys between them. A refusal ends it.
`,
  intro: `Usage: meow intro <list|accept ID|refuse ID>

The introductions offered to you and the ones you made.
`,
  ...CONVERSATION_HELP,
};

// The key-file forms (no node) follow the node forms in their help, and have a topic of their own.
HELP['card files'] = `The card commands on key files, without a node (identity from meow keygen):\n\n${HELP['card create --keys']!}\n${HELP['card import --keys']!}`;
HELP['card create'] = `${CONVERSATION_HELP['card create']!}\nWith key files:\n${HELP['card create --keys']!}`;
HELP['card import'] = `${CONVERSATION_HELP['card import']!}\nWith key files:\n${HELP['card import --keys']!}`;
