package halosim

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/halocfg/halocfg/catalog"
	"github.com/halocfg/halocfg/snapshot"
)

// dataset builds the records of a named dataset, and the list rows of its
// people (agents, teams ... : pair-only kinds, served read-only).
func dataset(name string, seed int64) (recs, people map[string][]snapshot.Record, err error) {
	switch {
	case name == "empty":
		return map[string][]snapshot.Record{}, map[string][]snapshot.Record{}, nil
	case name == "demo" || name == "":
		people, pools := genPeople(demoPeople(), demoPeople(), seed, "demo", 0, false)
		return generate(demoUniverse(), pools, seed, "demo", 0, false), people, nil
	case name == "demo-target":
		people, pools := genPeople(targetPeople(), demoPeople(), seed, "demo-target", 100, true)
		return generate(targetUniverse(), pools, seed, "demo-target", 100, true), people, nil
	case strings.HasPrefix(name, "scale:"):
		n, err := strconv.Atoi(strings.TrimPrefix(name, "scale:"))
		if err != nil || n < 1 || n > 100_000 {
			return nil, nil, fmt.Errorf("dataset %q: want scale:N with N from 1 to 100000", name)
		}
		people, pools := genPeople(scalePeople(n), scalePeople(n), seed, "scale", 0, false)
		return generate(scaleUniverse(n), pools, seed, "scale", 0, false), people, nil
	}
	return nil, nil, fmt.Errorf("unknown dataset %q (want demo, demo-target, scale:N or empty)", name)
}

// f and l shorten the dataset tables: literal fields and links.
type (
	f = map[string]any
	l = map[string]string
)

// demoUniverse is a small MSP's ticket configuration, modelled on Halo's
// defaults.
func demoUniverse() universe {
	u := universe{
		"emailtemplate": {
			{name: "Ticket Logged", set: f{"description": "Sent to the user when a ticket is logged"}},
			{name: "Ticket Resolved", set: f{"description": "Sent when a ticket is resolved"}},
			{name: "Ticket Closed"},
			{name: "Awaiting Your Reply"},
			{name: "Status Changed"},
			{name: "Out of Hours Acknowledgement"},
			{name: "Approval Request"},
			{name: "No Update Reminder"},
			{name: "Survey Invite"},
		},
		"workday": {{name: "Standard Hours"}, {name: "24x7 Support"}, {name: "Extended Hours"}, {name: "UK Office"}},
		"lookup": {
			{name: "Remote Support", set: f{"lookupid": 17}}, {name: "Onsite Support", set: f{"lookupid": 17}},
			{name: "Out of Hours", set: f{"lookupid": 17}}, {name: "Travel", set: f{"lookupid": 17}},
			{name: "Legacy Rate", hidden: true, set: f{"lookupid": 17}},
			{name: "Low", set: f{"lookupid": 2}}, {name: "Medium", set: f{"lookupid": 2}}, {name: "High", set: f{"lookupid": 2}},
		},
		"todogroup":  {{name: "Onboarding Checklist"}, {name: "Offboarding Checklist"}, {name: "Change Checklist"}},
		"cannedtext": {{name: "Greeting"}, {name: "Closing Remarks"}, {name: "Password Reset Steps"}, {name: "Remote Session Request"}, {name: "Out of Office"}},
		"tickettab":  {{name: "Details"}, {name: "Assets"}, {name: "Approvals"}, {name: "Billing"}},
		"customfield": {{name: "CFDepartment"}, {name: "CFCostCentre"}, {name: "CFDeviceType"}, {name: "CFStartDate"},
			{name: "CFLineManager"}, {name: "CFOfficeLocation"}},
		"fieldgroup": {{name: "New Starter Details"}, {name: "Hardware Details"}, {name: "Approval Details"},
			{name: "Software Details"}, {name: "Leaver Details"}},
		"approvalprocess": {{name: "Manager Approval"}, {name: "CAB Approval"}, {name: "Finance Approval"}, {name: "HR Approval"}},
		"ticketrule": {{name: "Printers to Field Team"}, {name: "VIP Escalation"}, {name: "Out of Hours Triage"},
			{name: "Password Resets"}, {name: "Supplier Emails"}},
		"tickettypegroup": {{name: "Support"}, {name: "Requests"}, {name: "Projects"}, {name: "Internal"}},
		"status": {
			{name: "New", set: f{"shortname": "NEW", "colour": "#2e86de"},
				links: l{"outcomes": "Note,Email User,Escalate,Resolve", "tickettypes": "Incident,Service Request,Change Request,Problem,Project,Task", "statusemailid": "Ticket Logged"}},
			{name: "In Progress", set: f{"shortname": "PROG", "colour": "#f39c12"}, links: l{"outcomes": "Note,Put On Hold,Resolve,Waiting on User"}},
			{name: "Action Required", set: f{"shortname": "ACT", "colour": "#e74c3c"}},
			{name: "Waiting on User", set: f{"shortname": "WAIT", "colour": "#8e44ad", "statuschangetofreq": 72.0},
				links: l{"outcomes": "Waiting on User,Note,Email User", "statuschangeto": "Action Required", "nochangetemplate": "No Update Reminder", "statusemailid": "Awaiting Your Reply"}},
			{name: "Waiting on Supplier", set: f{"shortname": "SUPP", "colour": "#16a085"}},
			{name: "On Hold", set: f{"shortname": "HOLD", "colour": "#7f8c8d"}, links: l{"statuschangeto": "In Progress"}},
			{name: "Scheduled", set: f{"shortname": "SCHD"}},
			{name: "Awaiting Approval", set: f{"shortname": "APPR"}},
			{name: "Resolved", set: f{"shortname": "RES", "colour": "#27ae60", "statuschangetofreq": 48.0},
				links: l{"statuschangeto": "Closed", "outcomes": "Reopen,Close,Note", "tickettypes": "Incident,Service Request,Problem", "statusemailid": "Ticket Resolved"}},
			{name: "Closed", set: f{"shortname": "CLSD", "colour": "#2c3e50"}, links: l{"statusemailid": "Ticket Closed"}},
			{name: "Cancelled", set: f{"shortname": "CANC"}},
			{name: "Merged", hidden: true, set: f{"shortname": "MRG"}},
		},
		"priority": {
			{name: "P1 - Critical", set: f{"fixtime": 4.0, "responsetime": 0.5, "colour": "#c0392b"}, links: l{"slaid": "Standard"}},
			{name: "P2 - High", set: f{"fixtime": 8.0, "responsetime": 1.0}, links: l{"slaid": "Standard"}},
			{name: "P3 - Medium", set: f{"fixtime": 24.0, "responsetime": 4.0}, links: l{"slaid": "Standard"}},
			{name: "P4 - Low", set: f{"fixtime": 72.0, "responsetime": 8.0}, links: l{"slaid": "Standard"}},
			{name: "Premium P1", set: f{"fixtime": 2.0, "responsetime": 0.25}, links: l{"slaid": "Premium"}},
			{name: "Premium P2", set: f{"fixtime": 4.0, "responsetime": 0.5}, links: l{"slaid": "Premium"}},
			{name: "Premium P3", set: f{"fixtime": 8.0, "responsetime": 1.0}, links: l{"slaid": "Premium"}},
			{name: "Premium P4", set: f{"fixtime": 24.0, "responsetime": 4.0}, links: l{"slaid": "Premium"}},
		},
		"sla": {
			{name: "Standard", links: l{"statusafterautorelease": "In Progress", "slstatusafterfirstwarning": "", "slstatusaftersecondwarning": "Action Required"}},
			{name: "Premium", links: l{"statusafterautorelease": "In Progress", "slstatusafterfirstwarning": "Action Required", "slstatusaftersecondwarning": "Action Required"}},
			{name: "No SLA", links: l{"statusafterautorelease": "", "slstatusafterfirstwarning": "", "slstatusaftersecondwarning": ""}},
		},
		"category": categories(
			1, "Hardware>Laptop", "Hardware>Desktop", "Hardware>Printer", "Software>Microsoft 365", "Software>Line of Business", "Network>Wi-Fi", "Network>VPN",
			2, "Impact>Single User", "Impact>Department", "Impact>Whole Company",
			3, "Urgency>Low", "Urgency>Medium", "Urgency>High",
			4, "Root Cause>User Error", "Root Cause>Hardware Fault", "Root Cause>Software Bug", "Root Cause>Third Party",
		),
		"workflow": {
			{name: "Change Approval"}, {name: "New Starter"}, {name: "Leaver"}, {name: "Major Incident"},
			{name: "Legacy Approval", hidden: true},
		},
		"tickettype": {
			{name: "Incident", links: l{"initial_status": "New", "group_id": "Support", "default_sla": "Standard", "default_priority": "P3 - Medium", "workflow_id": "",
				"allowed_status": "New,In Progress,Action Required,Waiting on User,Waiting on Supplier,On Hold,Resolved,Closed", "acknowledgementtemplate": "Ticket Logged",
				"acknowledgementtemplateooh": "Out of Hours Acknowledgement", "closedrequestsemailid": "Ticket Closed", "allowed_child_tickettypes": "Task"}},
			{name: "Service Request", links: l{"initial_status": "New", "group_id": "Requests", "default_sla": "Standard", "default_priority": "P4 - Low", "workflow_id": "New Starter",
				"allowed_status": "New,In Progress,Waiting on User,Awaiting Approval,Resolved,Closed,Cancelled", "acknowledgementtemplate": "Ticket Logged"}},
			{name: "Change Request", links: l{"initial_status": "Awaiting Approval", "group_id": "Requests", "default_sla": "Standard", "default_priority": "P3 - Medium", "workflow_id": "Change Approval",
				"allowed_status": "New,Awaiting Approval,Scheduled,In Progress,Resolved,Closed,Cancelled"}},
			{name: "Problem", links: l{"initial_status": "New", "group_id": "Support", "default_sla": "Standard", "default_priority": "P2 - High", "workflow_id": "Major Incident"}},
			{name: "Project", links: l{"initial_status": "New", "group_id": "Projects", "default_sla": "No SLA", "default_priority": "P4 - Low", "workflow_id": "",
				"allowed_child_tickettypes": "Task", "sprint_tickettype_id": "Task"}},
			{name: "Task", links: l{"initial_status": "New", "group_id": "Projects", "default_sla": "No SLA", "default_priority": "P4 - Low", "workflow_id": "", "allowed_child_tickettypes": ""}},
			{name: "Legacy Request", hidden: true, links: l{"initial_status": "New", "group_id": ""}},
		},
		"ticketarea": {
			{name: "Service Desk", links: l{"default_ticket_type": "Incident"}},
			{name: "Projects", links: l{"default_ticket_type": "Project"}},
			{name: "Change Management", links: l{"default_ticket_type": "Change Request"}},
			{name: "Internal IT", links: l{"default_ticket_type": "Service Request"}},
			{name: "Archive", links: l{"default_ticket_type": ""}},
		},
		"template": {
			{name: "New Starter", links: l{"tickettype_id": "Service Request", "status_id": "New", "workflow_id": "New Starter", "priority_id": "P3 - Medium"}},
			{name: "Monthly Maintenance", set: f{"summary": "Monthly maintenance for {{client}}"}, links: l{"tickettype_id": "Task", "status_id": "New", "workflow_id": ""}},
			{name: "Leaver", links: l{"tickettype_id": "Service Request", "status_id": "New", "workflow_id": "Leaver"}},
			{name: "Password Reset", links: l{"tickettype_id": "Service Request", "status_id": "In Progress"}},
			{name: "Server Patching", links: l{"tickettype_id": "Change Request", "status_id": "Awaiting Approval", "workflow_id": "Change Approval"}},
			{name: "Backup Check", links: l{"tickettype_id": "Task", "status_id": "New"}},
			{name: "Quarterly Review", links: l{"tickettype_id": "Task", "status_id": "Scheduled"}},
			{name: "Printer Toner Order", links: l{"tickettype_id": "Service Request"}},
			{name: "Major Incident Review", links: l{"tickettype_id": "Problem", "workflow_id": "Major Incident"}},
			{name: "Old Onboarding", hidden: true, links: l{"tickettype_id": "Legacy Request"}},
		},
		"outcome": {
			{name: "Resolve", links: l{"newstatus": "Resolved", "emailtemplate_id": "Ticket Resolved", "workflow_id": ""}},
			{name: "Close", links: l{"newstatus": "Closed", "emailtemplate_id": "Ticket Closed"}},
			{name: "Escalate", links: l{"newstatus": "In Progress", "defaultpriority": "P2 - High"}},
			{name: "Waiting on User", links: l{"newstatus": "Waiting on User", "emailtemplate_id": "Awaiting Your Reply"}},
			{name: "Note", links: l{"newstatus": "", "emailtemplate_id": "", "tickettypes": ""}},
			{name: "Email User", links: l{"newstatus": "", "emailtemplate_id": "Status Changed"}},
			{name: "Reopen", links: l{"newstatus": "In Progress"}},
			{name: "Put On Hold", links: l{"newstatus": "On Hold"}},
			{name: "Request Approval", links: l{"newstatus": "Awaiting Approval", "emailtemplate_id": "Approval Request", "workflows": "Change Approval"}},
			{name: "Cancel", links: l{"newstatus": "Cancelled"}},
			{name: "Log Supplier Call", links: l{"newstatus": "Waiting on Supplier"}},
			{name: "Create Child Task", links: l{"newstatus": "", "child_ticket_type_id": "Task", "child_template_id": "Backup Check"}},
			{name: "Merge", hidden: true, links: l{"newstatus": "Merged"}},
		},
	}
	for i := range u["outcome"] {
		p := &u["outcome"][i]
		p.set = f{"buttonname": p.name}
	}
	withDefaults(u, demoDefault)
	for i := range u["status"] {
		if _, ok := u["status"][i].links["statuschangeto"]; !ok {
			u["status"][i].links = with(u["status"][i].links, "statuschangeto", "")
		}
	}
	return u
}

// demoDefault is how many records the demo has of a kind it does not list.
const demoDefault = 5

// withDefaults gives each kind u does not list n generated records (see
// defaultProtos): a kind added to the catalog simulates with no change here.
func withDefaults(u universe, n int) {
	for _, k := range catalog.Kinds() {
		if _, listed := u[k.Name]; !listed {
			u[k.Name] = defaultProtos(k, n, "")
		}
	}
}

// defaultProtos names n records of k "<kind> 00001" ... (prefix first),
// every seventh from the second hidden or inactive; a kind keyed by two
// fields (a category's type_id and value) spreads them over four values of
// the first.
func defaultProtos(k *catalog.Kind, n int, prefix string) []proto {
	label := labels[k.Name]
	if label == "" {
		label = k.Name
	}
	ps := make([]proto, n)
	for i := range ps {
		ps[i] = proto{name: fmt.Sprintf("%s%s %05d", prefix, label, i+1), hidden: i%7 == 1}
		if len(k.NaturalKey) > 1 {
			first := k.NaturalKey[0]
			if schemaField(k.Schema, first).Type == "string" {
				ps[i].set = f{first: fmt.Sprintf("%s %d", first, i%4+1)}
			} else {
				ps[i].set = f{first: i%4 + 1}
			}
		}
	}
	return ps
}

// labels name the records of the scale dataset; kinds not listed use their
// catalog name.
var labels = map[string]string{
	"emailtemplate": "Email Template", "tickettypegroup": "Ticket Type Group", "status": "Status",
	"priority": "Priority", "sla": "SLA", "category": "Category", "workflow": "Workflow",
	"tickettype": "Ticket Type", "ticketarea": "Ticket Area", "template": "Template", "outcome": "Outcome",
}

// categories turns "type, values..., type, values..." into category protos.
func categories(spec ...any) []proto {
	var out []proto
	typ := 0
	for _, s := range spec {
		switch s := s.(type) {
		case int:
			typ = s
		case string:
			out = append(out, proto{name: s, set: f{"type_id": typ}})
		}
	}
	return out
}

func with(m l, k, v string) l {
	out := l{k: v}
	for a, b := range m {
		out[a] = b
	}
	return out
}

// targetUniverse is another MSP's tenant: most of demo's configuration,
// some of it changed, some missing, some of its own. Its ids and guids
// differ from demo's (generate gives it another salt and shuffled ids).
func targetUniverse() universe {
	u := demoUniverse()
	drop := map[string][]string{
		"status":        {"Scheduled"},
		"outcome":       {"Log Supplier Call"},
		"tickettype":    {"Problem"},
		"template":      {"Printer Toner Order", "Major Incident Review", "Quarterly Review"},
		"category":      {"Network>VPN", "Root Cause>Third Party"},
		"workflow":      {"Major Incident"},
		"emailtemplate": {"Survey Invite"},
		"ticketarea":    {"Archive"},
	}
	change := map[string]map[string]f{
		"status": {
			"New":         {"colour": "#1b4f72"},
			"In Progress": {"colour": "#d35400", "shortname": "WIP"},
			"On Hold":     {"sequence": 65},
		},
		"outcome":  {"Escalate": {"buttonname": "Escalate to L2"}},
		"template": {"Monthly Maintenance": {"summary": "Monthly maintenance visit"}},
		"priority": {"P1 - Critical": {"fixtime": 2.0}},
	}
	add := universe{
		"emailtemplate":   {{name: "Parts Ordered"}},
		"tickettypegroup": {{name: "HR"}},
		"status": {{name: "Awaiting Parts", set: f{"shortname": "PRTS"},
			links: l{"outcomes": "Order Parts", "statuschangeto": "", "statusemailid": "Parts Ordered"}}},
		"sla":      {{name: "Gold", links: l{"statusafterautorelease": "Awaiting Parts"}}},
		"priority": {{name: "Gold P1", set: f{"fixtime": 1.0}, links: l{"slaid": "Gold"}}},
		"category": categories(1, "Software>CRM"),
		"workflow": {{name: "Asset Return"}},
		"tickettype": {{name: "Onboarding", links: l{"initial_status": "New", "group_id": "HR", "default_sla": "Gold",
			"allowed_status": "New,In Progress,Awaiting Parts,Resolved,Closed", "workflow_id": "Asset Return"}}},
		"ticketarea": {{name: "HR Requests", links: l{"default_ticket_type": "Onboarding"}}},
		"template":   {{name: "Annual Audit", links: l{"tickettype_id": "Task"}}},
		"outcome":    {{name: "Order Parts", set: f{"buttonname": "Order Parts"}, links: l{"newstatus": "Awaiting Parts"}}},
	}
	// Kinds the tables above do not name lose their third record and gain
	// one of their own.
	for _, k := range catalog.Kinds() {
		_, dropped := drop[k.Name]
		_, added := add[k.Name]
		if dropped || added {
			continue
		}
		if ps := u[k.Name]; len(ps) > 2 {
			drop[k.Name] = []string{ps[2].name}
		}
		add[k.Name] = defaultProtos(k, 1, "Target ")
	}
	gone := map[string]bool{}
	for kind, names := range drop {
		for _, n := range names {
			gone[kind+"/"+n] = true
		}
	}
	out := universe{}
	for kind, ps := range u {
		for _, p := range ps {
			if gone[kind+"/"+p.name] {
				continue
			}
			if c, ok := change[kind][p.name]; ok {
				set := f{}
				for k, v := range p.set {
					set[k] = v
				}
				for k, v := range c {
					set[k] = v
				}
				p.set = set
			}
			p.links = withoutGone(p.links, gone)
			out[kind] = append(out[kind], p)
		}
		out[kind] = append(out[kind], add[kind]...)
	}
	return out
}

// withoutGone drops dropped records from links; references whose target is
// gone are chosen again among the remaining records.
func withoutGone(links l, gone map[string]bool) l {
	out := l{}
	for field, names := range links {
		var keep []string
		for _, n := range strings.Split(names, ",") {
			if n == "" || !anyGone(gone, n) {
				keep = append(keep, n)
			}
		}
		if len(keep) == 0 && names != "" {
			continue
		}
		out[field] = strings.Join(keep, ",")
	}
	return out
}

func anyGone(gone map[string]bool, name string) bool {
	for k := range gone {
		if strings.HasSuffix(k, "/"+name) {
			return true
		}
	}
	return false
}

// scaleUniverse has n records of every kind with generated names; every
// seventh (from the second) is hidden or inactive, and the first records
// close the cycles Halo configurations have.
func scaleUniverse(n int) universe {
	u := universe{}
	withDefaults(u, n)
	name := func(kind string, i int) string { return u[kind][i].name }
	u["status"][0].links = l{"outcomes": name("outcome", 0), "tickettypes": name("tickettype", 0), "statuschangeto": ""}
	if n > 1 {
		u["status"][0].links["statuschangeto"] = name("status", 1)
	}
	u["outcome"][0].links = l{"newstatus": name("status", 0)}
	u["tickettype"][0].links = l{"initial_status": name("status", 0)}
	return u
}
