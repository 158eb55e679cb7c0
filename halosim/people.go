package halosim

import (
	"bytes"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/halocfg/halocfg/catalog"
	"github.com/halocfg/halocfg/snapshot"
)

// person is one record of a pair-only kind in a dataset (an agent, a team
// ...): its name and other fields ("email"; a team's "department", a
// site's "client", by name). The configuration points at every person but
// the spare ones; a hidden one (a disabled agent, an inactive client) is
// listed only with the list's flags.
type person struct {
	name          string
	set           map[string]any
	spare, hidden bool
}

// peopleUniverse lists the people of a dataset per pair-only kind that has
// its own list (departments come from their teams).
type peopleUniverse map[string][]person

// peopleAPI is how the simulated API lists each kind: /Agent, /Team,
// /Roles and /Mailbox as bare arrays, /Client and /Site wrapped and paged;
// hiddenField marks those listed only when showParam is "true".
var peopleAPI = map[string]struct {
	paged                  bool
	hiddenField, showParam string
}{
	"agent":   {hiddenField: "isdisabled", showParam: "includedisabled"},
	"team":    {hiddenField: "inactive", showParam: "includedisabled"},
	"role":    {},
	"mailbox": {},
	"client":  {paged: true, hiddenField: "inactive", showParam: "includeinactive"},
	"site":    {paged: true, hiddenField: "inactive", showParam: "includeinactive"},
}

// demoPeople are the demo MSP's agents, teams, roles, mailboxes, clients
// and sites.
func demoPeople() peopleUniverse {
	agent := func(name, email string) person { return person{name: name, set: f{"email": email}} }
	agents := []person{
		agent("Alice Carter", "alice.carter@msp.example"), agent("Ben Hughes", "ben.hughes@msp.example"),
		agent("Chloe Patel", "chloe.patel@msp.example"), agent("Daniel Okafor", "daniel.okafor@msp.example"),
		agent("Emma Schmidt", "emma.schmidt@msp.example"), agent("Farid Haddad", "farid.haddad@msp.example"),
		agent("Grace Lin", "grace.lin@msp.example"), agent("Henry Walsh", "henry.walsh@msp.example"),
		agent("Isla Novak", "isla.novak@msp.example"), agent("Jack Moreno", "jack.moreno@msp.example"),
		agent("Kira Tanaka", "kira.tanaka@msp.example"), agent("Helpdesk Robot", ""), // an API agent: no email
		agent("Liam O'Brien", "liam.obrien@msp.example"), agent("Maya Singh", "maya.singh@msp.example"),
		agent("Noah Fischer", "noah.fischer@msp.example"), agent("Olivia Rossi", "olivia.rossi@msp.example"),
		agent("Pedro Alves", "pedro.alves@msp.example"), agent("Rosa Jensen", "rosa.jensen@msp.example"),
		agent("Sam Kowalski", "sam.kowalski@msp.example"), agent("Tara Nguyen", "tara.nguyen@msp.example"),
		agent("Uma Reddy", "uma.reddy@msp.example"), agent("Victor Dubois", "victor.dubois@msp.example"),
	}
	agents[7].hidden = true                         // Henry Walsh left: disabled, still pointed at
	agents[20].spare, agents[21].spare = true, true // nothing points at them
	team := func(name, dept string) person { return person{name: name, set: f{"department": dept}} }
	teams := []person{
		team("Service Desk", "Support"), team("Field Engineers", "Support"), team("Escalations", "Support"),
		team("Projects", "Projects"), team("Change Board", "Projects"),
		team("Network", "Infrastructure"), team("Cloud", "Infrastructure"), team("Security", "Infrastructure"),
		team("Procurement", "Finance"), team("Account Managers", "Sales"), team("Legacy Support", "Support"),
		team("Training", "Internal"),
	}
	teams[10].hidden = true // inactive
	teams[11].spare = true
	var roles []person
	for _, n := range []string{"Administrator", "Service Desk Agent", "Engineer", "Team Lead", "Manager", "Finance", "Approver", "Read Only"} {
		roles = append(roles, person{name: n})
	}
	var mailboxes []person
	for _, n := range []string{"support@msp.example", "alerts@msp.example", "projects@msp.example", "billing@msp.example"} {
		mailboxes = append(mailboxes, person{name: n})
	}
	var clients []person
	for _, n := range []string{"Acme Ltd", "Bluebird Logistics", "Cedar Health", "Dunmore Legal", "Evergreen Schools",
		"Fjord Shipping", "Granite Builders", "Harbour Dental", "Ironbridge Bank", "Juniper Retail", "Kestrel Energy",
		"Lumen Media", "Maple Foods", "Northwind Traders", "Orchid Spa", "Pinewood Council"} {
		clients = append(clients, person{name: n})
	}
	clients[14].hidden = true // inactive
	var sites []person
	for _, c := range clients[:10] {
		sites = append(sites, person{name: "Main Office", set: f{"client": c.name}}) // one name, many clients
	}
	for _, c := range []string{"Bluebird Logistics", "Granite Builders", "Fjord Shipping"} {
		sites = append(sites, person{name: "Warehouse", set: f{"client": c}})
	}
	sites = append(sites, person{name: "Old Depot", set: f{"client": "Bluebird Logistics"}, hidden: true})
	return peopleUniverse{"agent": agents, "team": teams, "role": roles, "mailbox": mailboxes, "client": clients, "site": sites}
}

// targetPeople are the same people in another tenant, with a few
// differences: an agent renamed (pairs by email), a mailbox address in
// other case, a spare agent missing, and two teams named "Training".
func targetPeople() peopleUniverse {
	pu := demoPeople()
	pu["agent"] = slices.DeleteFunc(pu["agent"], func(p person) bool { return p.name == "Victor Dubois" })
	for i := range pu["agent"] {
		if pu["agent"][i].name == "Chloe Patel" {
			pu["agent"][i].name = "Chloe Patel-Wood"
		}
	}
	pu["mailbox"][0].name = "Support@MSP.example"
	pu["team"] = append(pu["team"], person{name: "Training", set: f{"department": "Sales"}, spare: true})
	return pu
}

// scalePeople are the demo's people and n clients more, so that the
// client list spans pages.
func scalePeople(n int) peopleUniverse {
	pu := demoPeople()
	for i := range n {
		pu["client"] = append(pu["client"], person{name: fmt.Sprintf("Client %05d", i+1)})
	}
	return pu
}

// someone is a person the configuration may point at: its id in this
// tenant (0 when the tenant lacks it) and its name.
type someone struct {
	id   int64
	name string
}

// genPeople builds the list rows of every kind of pu, with ids from
// idBase+1 (shuffled when shuffle is set), and for every pair-only kind
// (departments too) the people the configuration points at, in the same
// order in every tenant made from one universe.
func genPeople(pu peopleUniverse, ref peopleUniverse, seed int64, salt string, idBase int64, shuffle bool) (rows map[string][]snapshot.Record, pools map[string][]someone) {
	rows, pools = map[string][]snapshot.Record{}, map[string][]someone{}
	ids := func(kind string, n int) []int64 {
		out := make([]int64, n)
		for i := range out {
			out[i] = idBase + int64(i) + 1
		}
		if shuffle {
			r := newRand(seed, salt, "people", kind)
			r.Shuffle(n, func(i, j int) { out[i], out[j] = out[j], out[i] })
		}
		return out
	}
	byName := map[string]map[string]int64{} // kind -> personKey -> id
	// Departments: one per department name of the teams, in order.
	var depts []string
	for _, t := range pu["team"] {
		if d := t.set["department"].(string); !slices.Contains(depts, d) {
			depts = append(depts, d)
		}
	}
	byName["department"] = map[string]int64{}
	for i, id := range ids("department", len(depts)) {
		byName["department"][depts[i]] = id
	}
	for _, kind := range []string{"client", "agent", "team", "role", "mailbox", "site"} { // clients before their sites
		ps := pu[kind]
		api := peopleAPI[kind]
		byName[kind] = map[string]int64{}
		for i, id := range ids(kind, len(ps)) {
			p := ps[i]
			row := snapshot.Record{"id": num(id), "name": p.name}
			switch kind {
			case "agent":
				row["email"] = p.set["email"]
			case "team":
				d := p.set["department"].(string)
				row["guid"] = uuid(newRand(seed, salt, "team", p.name, d))
				row["department_id"], row["department_name"] = num(byName["department"][d]), d
			case "mailbox":
				row["type"] = num(0)
			case "site":
				c := p.set["client"].(string)
				row["client_id"], row["client_name"] = num(byName["client"][c]), c
			}
			if api.hiddenField != "" {
				row[api.hiddenField] = p.hidden
			}
			rows[kind] = append(rows[kind], row)
			byName[kind][personKey(kind, p)] = id
		}
		snapshot.SortByID(rows[kind])
	}
	// What the configuration points at: the reference universe's people
	// that are not spare, by key, as this tenant numbers them.
	for kind, ps := range ref {
		for _, p := range ps {
			if !p.spare {
				pools[kind] = append(pools[kind], someone{byName[kind][personKey(kind, p)], p.name})
			}
		}
	}
	for _, d := range depts {
		pools["department"] = append(pools["department"], someone{byName["department"][d], d})
	}
	return rows, pools
}

// personKey tells people apart within a kind as both tenants do: an agent
// by email (a renamed agent is the same one), a site within its client,
// others by name; without case.
func personKey(kind string, p person) string {
	key := p.name
	switch kind {
	case "agent":
		if e, _ := p.set["email"].(string); e != "" {
			key = e
		}
	case "site":
		key = p.set["client"].(string) + "/" + p.name
	}
	return strings.ToLower(key)
}

// listPeople serves GET /api/{Agent,Team,Roles,Mailbox,Client,Site}: the
// rows of a pair-only kind, read-only. Hidden rows only with the flag;
// clients and sites paged.
func (t *Tenant) listPeople(w http.ResponseWriter, r *http.Request, k *catalog.Kind, parts []string) {
	if len(parts) != 2 || r.Method != http.MethodGet {
		writeError(w, http.StatusMethodNotAllowed, "method_not_allowed", "the simulator serves "+k.Endpoint+" as a read-only list")
		return
	}
	if t.dev.forbidden[k.Endpoint] {
		writeError(w, http.StatusForbidden, "forbidden", "the API application may not read "+k.Endpoint)
		return
	}
	api := peopleAPI[k.Name]
	var rows []snapshot.Record
	for _, row := range t.people[k.Name] {
		if api.hiddenField == "" || row[api.hiddenField] != true || flag(r, api.showParam) {
			rows = append(rows, row.Clone())
		}
	}
	total := len(rows)
	var out bytes.Buffer
	if api.paged {
		rows = pageRows(r, rows, false)
		fmt.Fprintf(&out, `{"record_count":%d,%q:`, total, k.ListKey)
		writeJSON(&out, rows, "")
		out.WriteByte('}')
	} else {
		writeJSON(&out, rows, "")
	}
	t.count(func(s *Stats) { s.ListPages++ })
	writeBody(w, http.StatusOK, out.Bytes())
}

// peopleOf matches an endpoint with a pair-only kind that has its own list.
func peopleOf(entity string) *catalog.Kind {
	for _, k := range catalog.PairOnlyKinds() {
		if _, listed := peopleAPI[k.Name]; listed && strings.EqualFold("/"+entity, k.Endpoint) {
			return k
		}
	}
	return nil
}
