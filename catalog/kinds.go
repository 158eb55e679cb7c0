package catalog

import "strings"

// ref, ext, extGUID, keyPairs and owner build the Ref entries below; guid and
// name are the partner fields ("" when the schema has none).
func ref(field, target, guid, name string) Ref {
	return Ref{Field: field, Target: target, GUID: guid, Name: name}
}

func ext(field, target, name string) Ref {
	return Ref{Field: field, Target: target, External: true, Name: name}
}

func extGUID(field, target, guid, name string) Ref {
	return Ref{Field: field, Target: target, External: true, GUID: guid, Name: name}
}

func keyPairs(array, target string) Ref {
	return Ref{Field: array + "[].value", Target: target, StringID: true, Name: array + "[].label"}
}

func owner(field, target string) Ref {
	return Ref{Field: field, Target: target, Owner: true}
}

// rowOwner: a back-reference to the row of the nested array row of a
// record of kind that holds it (Ref.OwnerRow).
func rowOwner(field, kind, row string) Ref {
	return Ref{Field: field, Target: kind, Owner: true, OwnerRow: row}
}

// inferred marks a Ref read from a field name alone.
func inferred(r Ref) Ref {
	r.Inferred = true
	return r
}

// criteriaTargets says what a criterion's value_int (AutoassignCriteria,
// ApprovalProcessRuleCriteria) or a rule outcome's holds, by the ticket
// field its fieldname names. Every entry is inferred from Halo's field names
// (the Refs are Inferred: halocfg probe counts the fieldnames a tenant uses
// that the table lacks); a fieldname not listed makes the value an external
// "criteriavalue", for the user to map, clear or keep.
var criteriaTargets = map[string]string{
	"status": "status", "status_id": "status", "statusid": "status",
	"tickettype": "tickettype", "tickettype_id": "tickettype", "requesttype": "tickettype", "requesttype_id": "tickettype", "requesttypenew": "tickettype",
	"priority": "priority", "priority_id": "priority", "priorityid": "priority", "seriousness": "priority",
	"sla": "sla", "sla_id": "sla", "slaid": "sla",
	"category1": "category", "category2": "category", "category3": "category", "category4": "category",
	"category_1": "category", "category_2": "category", "category_3": "category", "category_4": "category",
	"categoryid_1": "category", "categoryid_2": "category", "categoryid_3": "category", "categoryid_4": "category",
	"workflow": "workflow", "workflow_id": "workflow", "flowheader": "workflow",
	"template": "template", "template_id": "template",
	"outcome": "outcome", "outcome_id": "outcome",
	"agent": "agent", "agent_id": "agent", "assignedtoint": "agent",
	"team": "team", "team_id": "team",
	"client": "client", "client_id": "client", "areaint": "client",
	"site": "site", "site_id": "site", "sitenumber": "site",
	"user": "user", "user_id": "user", "userid": "user",
}

// byField: a value whose target its sibling fieldname names (criteriaTargets).
func byField(field, guid string) Ref {
	return Ref{Field: field, Target: "criteriavalue", External: true, GUID: guid,
		By: "fieldname", ByValue: criteriaTargets, Inferred: true}
}

// criteria: AutoassignCriteria rows, the conditions of a ticket rule, of a
// template's automation and of a workflow's steps and actions. rule_id is
// the rule and stdid the template they belong to: owners in a rule's and a
// template's own rows, otherwise inferred references. In a workflow
// action's conditions, flowsubdetails_criteria_id is the action that holds
// them (elsewhere it is unused: notRefs); qualification_criteria_id is
// the like of a qualification's criteria (notRefs).
func criteria(array, kind string) []Ref {
	rule := inferred(ref(array+".rule_id", "ticketrule", array+".autoassign_guid", ""))
	if kind == "ticketrule" {
		rule = owner(array+".rule_id", "ticketrule")
	}
	std := inferred(ref(array+".stdid", "template", "", ""))
	if kind == "template" {
		std = owner(array+".stdid", "template")
	}
	refs := []Ref{
		rule, std,
		byField(array+".value_int", array+".valueint_guid"),
	}
	if action, ok := strings.CutSuffix(array, ".conditions[]"); ok {
		refs = append(refs, inferred(rowOwner(array+".flowsubdetails_criteria_id", kind, action)))
	} else if action, ok := strings.CutSuffix(array, ".conditions_exec[]"); ok {
		refs = append(refs, inferred(rowOwner(array+".flowsubdetails_criteria_id", kind, action)))
	}
	return refs
}

// valueOf: a reference to a custom field's value, a row of the values[] of
// the field the sibling field in names (field_id, lookup_field_id). Across
// tenants a value is the row with the same name in the paired field.
func valueOf(field, in, guid, name string) Ref {
	return Ref{Field: field, Target: "customfield", Row: "values", In: in, GUID: guid, Name: name}
}

// rowOf: a reference to a row of the nested array row of the record that
// holds it (Ref.Row without In), read from the field name.
func rowOf(field, kind, row, name string) Ref {
	return Ref{Field: field, Target: kind, Row: row, Name: name, Inferred: true}
}

// described marks a kind added from Halo's API description alone: what its
// list answers is unverified, and so is each of more.
func described(more ...Assumption) []Assumption {
	return append([]Assumption{{On: OnListKey, Text: "the list answers a bare array or an object holding ListKey"}}, more...)
}

// join concatenates groups of Refs.
func join(groups ...[]Ref) []Ref {
	var out []Ref
	for _, g := range groups {
		out = append(out, g...)
	}
	return out
}

// The nested schemas below recur in several kinds, with the same references.

// accessControl: AccessControl rows (who may see or use the record).
func accessControl(kind string) []Ref {
	return []Ref{
		owner("access_control[].entity_id", kind),
		ext("access_control[].agent_id", "agent", ""),
		ext("access_control[].user_id", "user", ""),
		ext("access_control[].role_id", "role", ""),
		ext("access_control[].team_id", "team", ""),
		ext("access_control[].department_id", "department", ""),
	}
}

// translations: LanguagePackTranslationsCustom rows. entity_id2 is no
// reference (notRefs).
func translations(kind string) []Ref {
	return []Ref{
		owner("translations[].entity_id", kind),
		ext("translations[].language_id", "language", ""),
	}
}

// fieldRows: RequestTypeField rows (the custom fields a record shows); rtid
// holds the owning record and tableid says which table that is. A field
// group's own rows name it in groupid.
func fieldRows(kind string) []Ref {
	group := ref("fields[].groupid", "fieldgroup", "fields[].groupguid", "")
	if kind == "fieldgroup" {
		group = inferred(owner("fields[].groupid", "fieldgroup"))
	}
	return fieldRowsAt(kind, "fields[]", owner("fields[].rtid", kind), group)
}

// fieldRowsAt: RequestTypeField rows of the nested array a ("fields[]",
// "steps[].fields[]") of a record of kind, with their owning row rtid and
// their group.
func fieldRowsAt(kind, a string, rtid, group Ref) []Ref {
	return join([]Ref{
		rtid,
		ref(a+".fieldid", "customfield", a+".fieldguid", a+".fieldname"),
		group,
		ref(a+".techtab_id", "tickettab", "", a+".techtab_name"),
		copyOf(a+".fieldinfo", "customfield"),
		copyOf(a+".group", "fieldgroup"),
		// the field's per-ticket-type restrictions and visibility conditions
		ref(a+".read_restrictions[].tickettype_id", "tickettype", "", ""),
		ref(a+".read_restrictions[].field_id", "customfield", "", ""),
		ext(a+".read_restrictions[].role_id", "role", ""),
		ref(a+".update_restrictions[].tickettype_id", "tickettype", "", ""),
		ref(a+".update_restrictions[].field_id", "customfield", "", ""),
		ext(a+".update_restrictions[].role_id", "role", ""),
		ref(a+".value_restrictions[].tickettype_id", "tickettype", "", ""),
		ref(a+".value_restrictions[].field_id", "customfield", "", ""),
		valueOf(a+".value_restrictions[].value_id", "field_id", a+".value_restrictions[].value_guid", a+".value_restrictions[].value_name"),
		ref(a+".visibility_conditions[].tickettype_id", "tickettype", "", ""),
		ref(a+".visibility_conditions[].field_id", "customfield", "", ""),
		ref(a+".visibility_conditions[].lookup_field_id", "customfield", "", ""),
		valueOf(a+".visibility_conditions[].lookup_value_id", "lookup_field_id", "", ""),
		ref(a+".visibility_conditions_value[].tickettype_id", "tickettype", "", ""),
		ref(a+".visibility_conditions_value[].field_id", "customfield", "", ""),
		ref(a+".visibility_conditions_value[].lookup_field_id", "customfield", "", ""),
		valueOf(a+".visibility_conditions_value[].lookup_value_id", "lookup_field_id", "", ""),
	}, rowTranslations(kind, a))
}

// visibility: CustomFieldVisibility rows of a field or a field group: shown
// when the field lookup_field_id has the value lookup_value_id (for ticket
// type tickettype_id). field_id is the field shown: in a field's own rows,
// the field itself.
func visibility(kind string) []Ref {
	shown := ref("visibility_conditions[].field_id", "customfield", "", "")
	if kind == "customfield" {
		shown = inferred(owner("visibility_conditions[].field_id", "customfield"))
	}
	return []Ref{
		ref("visibility_conditions[].tickettype_id", "tickettype", "", ""),
		shown,
		ref("visibility_conditions[].lookup_field_id", "customfield", "", ""),
		valueOf("visibility_conditions[].lookup_value_id", "lookup_field_id", "", ""),
	}
}

// rowTranslations: LanguagePackTranslationsCustom rows of the nested rows
// array of a record of kind (a workflow's steps[]). entity_id is the
// translated row's id: a back-reference Halo sets (Ref.OwnerRow).
func rowTranslations(kind, array string) []Ref {
	return []Ref{
		rowOwner(array+".translations[].entity_id", kind, array),
		ext(array+".translations[].language_id", "language", ""),
	}
}

// approvalRules: ApprovalProcessRule rows of an approval step: who
// approves, and the email templates of the answer.
func approvalRules(array string) []Ref {
	return []Ref{
		approver(array, "arunumcab_guid"),
		ext(array+".user_id", "user", array+".user_name"),
		ext(array+".role_id", "role", array+".role_name"),
		// approval_process_guid is the process's guid: its owner
		owner(array+".approval_process_id", "approvalprocess"),
		// the step that holds the rule
		inferred(rowOwner(array+".approval_process_step_id", "approvalprocess", "steps[]")),
		ref(array+".accept_emailtemplate_id", "emailtemplate", array+".accept_emailtemplate_guid", array+".accept_emailtemplate_name"),
		ref(array+".reject_emailtemplate_id", "emailtemplate", array+".reject_emailtemplate_guid", array+".reject_emailtemplate_name"),
		ref(array+".customfieldid", "customfield", "", array+".customfield_name"),
		// ApprovalProcessRuleCriteria: when the rule applies
		byField(array+".criteria[].value_int", array+".criteria[].valueint_guid"),
	}
}

// approver: agent_id_or_cab_id of an approval step or rule (array) is an
// agent or a CAB (/CAB lists CabHeader rows), as its type says; the
// description lists no type codes, so it stays external and probe shows
// the type and which of the name partners is set beside each value.
func approver(array, guid string) Ref {
	return Ref{Field: array + ".agent_id_or_cab_id", Target: "approver", External: true, GUID: array + "." + guid, Name: array + ".agent_name",
		Hint: []string{"type", "agent_name", "cab_name"}}
}

// rowAccessControl: AccessControl rows of the nested rows array of a record
// of kind (a custom field's values[]); entity_id is the row's id: a
// back-reference Halo sets (Ref.OwnerRow).
func rowAccessControl(kind, array string) []Ref {
	return []Ref{
		rowOwner(array+".access_control[].entity_id", kind, array),
		ext(array+".access_control[].agent_id", "agent", ""),
		ext(array+".access_control[].user_id", "user", ""),
		ext(array+".access_control[].role_id", "role", ""),
		ext(array+".access_control[].team_id", "team", ""),
		ext(array+".access_control[].department_id", "department", ""),
	}
}

// categoryRows: CategoryRestriction rows of allowed_category1..4.
func categoryRows(array string) []Ref {
	return []Ref{
		ref(array+"[].category_id", "category", array+"[].category_guid", ""),
		owner(array+"[].tickettype_id", "tickettype"),
		ext(array+"[].client_id", "client", ""),
		extGUID(array+"[].team_id", "team", array+"[].team_guid", ""),
		ext(array+"[].service_id", "service", ""),
	}
}

// teamRows: SectionRequestType rows (a ticket type's teams).
func teamRows(array string) []Ref {
	return []Ref{
		owner(array+"[].tickettype_id", "tickettype"),
		ext(array+"[].section_id", "team", array+"[].section_name"),
	}
}

// embedded: a nested copy of another record, whose id is the reference; the
// rest of the copy is listed in notRefs as "Schema.container.*". copyOf is
// the same for a copy of a record of an exported kind.
func embedded(container, target string) Ref {
	return ext(container+".id", target, "")
}

func copyOf(container, kind string) Ref {
	return ref(container+".id", kind, "", "")
}

// kinds: the order is the export order and the tie-break order of imports.
// Refs marked inferred (Ref.Inferred) read Halo's intent from the field name
// alone (the OpenAPI description has no field descriptions); where the
// intent was not clear enough to remap automatically, the Ref is external,
// so the user decides.
var kinds = []*Kind{
	{
		Name: "emailtemplate", Endpoint: "/EmailTemplate", Schema: "MessageContent", ListKey: "emailtemplates",
		DetailQuery: "includedetails=true",
		NaturalKey:  []string{"name"},
		Refs: join([]Ref{
			ext("messagegroup_id", "messagegroup", ""),
			ext("sectionid", "team", ""),
		}, accessControl("emailtemplate")),
	},
	// The kinds below up to tickettypegroup, approvalprocess and ticketrule
	// were added from the OpenAPI description alone: what their lists
	// answer, whether they hide records without a parameter and what their
	// detail GET needs are Unverified, for halocfg probe to check.
	{
		Name: "workday", Endpoint: "/Workday", Schema: "Workdays", ListKey: "workdays",
		DetailQuery: "includedetails=true",
		NaturalKey:  []string{"name"},
		Unverified: described(
			Assumption{On: OnListQuery, Text: "/Workday lists every workday without parameters"},
			Assumption{On: OnDetailQuery, Text: "holidays and timeslots come with includedetails=true", Fields: []string{"holidays", "timeslots"}}),
		Refs: join([]Ref{
			owner("holidays[].workday_id", "workday"),
			ext("holidays[].agent_id", "agent", "holidays[].agent_name"), // an agent's own holiday
			owner("timeslots[].workday_id", "workday"),
			ext("timeslots[].bookingtype_id", "appointmenttype", ""),
		}, accessControl("workday")),
	},
	{
		// Lookup codes of every list (charge rates, impacts, ...), keyed by
		// their list (lookupid) and name.
		Name: "lookup", Endpoint: "/Lookup", Schema: "Lookup", ListKey: "lookups",
		ListQuery: "showallcodes=true", DetailQuery: "includedetails=true",
		NaturalKey: []string{"lookupid", "name"},
		Unverified: described(
			Assumption{On: OnListQuery, Text: "/Lookup without lookupid lists the codes of every list, custom fields' values (iscustomfield) not among them; showallcodes=true adds inactive ones"},
			Assumption{On: OnIDs, Text: "ids are unique across lookup lists (export refuses a repeated id)"}),
		Refs: join([]Ref{
			inferred(ext("overriding_rate_id", "chargeraterow", "")),
			// a charge rate code's rates: charge_id the code itself
			inferred(owner("rates[].charge_id", "lookup")),
			inferred(ext("rates[].area", "client", "")),
			ext("rates[].contract_id", "contract", ""),
			inferred(ext("rates[].travel_surchargeid", "travelsurcharge", "")),
			// the codes below a code of a tree list: Lookup copies
			inferred(copyOf("sub_lookup[]", "lookup")),
		}, accessControl("lookup"), translations("lookup")),
	},
	{
		Name: "todogroup", Endpoint: "/ToDoGroup", Schema: "ToDoGroup", ListKey: "todogroups",
		NaturalKey: []string{"text"},
		Unverified: described(
			Assumption{On: OnListQuery, Text: "/ToDoGroup lists every group without parameters"},
			Assumption{On: OnDetailQuery, Text: "the detail GET needs no parameter for the whole group"}),
		Refs: []Ref{
			owner("todo_list[].group_id", "todogroup"),
			ext("todo_list[].ticket_id", "ticket", ""),
			ext("todo_list[].done_by_id", "agent", "todo_list[].done_by_name"),
		},
	},
	{
		Name: "cannedtext", Endpoint: "/CannedText", Schema: "CannedText", ListKey: "cannedtexts",
		ListQuery: "showall=true", DetailQuery: "includedetails=true",
		NaturalKey: []string{"name"},
		Unverified: described(
			Assumption{On: OnListQuery, Text: "showall=true lists every agent's, team's and department's canned text"}),
		Refs: join([]Ref{
			ext("group_id", "cannedtextgroup", "group_name"),
			ext("agent_id", "agent", "agent_name"),
			extGUID("team_id", "team", "team_guid", "team_name"),
			extGUID("department_id", "department", "department_guid", "department_name"),
			ext("tags[].id", "tag", "tags[].text"),
			inferred(owner("tags[].add_to_ctid", "cannedtext")),
			inferred(ext("tags[].add_to_kbid", "kbarticle", "")),
		}, accessControl("cannedtext")),
	},
	{
		Name: "tickettab", Endpoint: "/Tabs", Schema: "Tabname", ListKey: "tabs",
		DetailQuery: "includedetails=true",
		NaturalKey:  []string{"name"},
		Unverified: described(
			Assumption{On: OnListQuery, Text: "/Tabs without type or typeid lists the tabs of tickets"},
			Assumption{On: OnIDs, Text: "tabs of other entities may be listed too: names may then repeat"}),
		Refs: []Ref{
			copyOf("fields[]", "customfield"), // the fields on the tab
			ext("linked_dashboard_id", "dashboard", ""),
		},
	},
	{
		// Custom fields, with their values (values[], rows other records
		// point at by name).
		Name: "customfield", Endpoint: "/FieldInfo", Schema: "FieldInfo", ListKey: "fields",
		DetailQuery: "includedetails=true&getlookupvalues=true",
		NaturalKey:  []string{"name"},
		RowKeys:     map[string]string{"values": "name"},
		Unverified: described(
			Assumption{On: OnListQuery, Text: "/FieldInfo without parameters lists every field of every entity"},
			Assumption{On: OnDetailQuery, Text: "getlookupvalues=true brings the field's values", Fields: []string{"values"}},
			Assumption{On: OnWrites, Text: "a value row posted with its id changes that row, one without adds a row"}),
		Refs: join([]Ref{
			ref("tab_id", "tickettab", "tab_guid", "tab_name"),
			extGUID("table_id", "customtable", "table_guid", "table_name"),
			embedded("table_info", "customtable"),
			inferred(ext("customextratableid", "customtable", "")),
			ref("selection_field_id", "customfield", "", "selection_field_name"),
			ext("database_lookup_id", "databaselookup", "database_lookup_name"),
			ext("sql_certificate_id", "certificate", "sql_certificate_name"),
			owner("client_restrictions[].field_id", "customfield"),
			ext("client_restrictions[].client_id", "client", "client_restrictions[].client_name"),
			owner("org_restrictions[].field_id", "customfield"),
			ext("org_restrictions[].org_id", "organisation", "org_restrictions[].org_name"),
			ref("database_lookup_triggers[].field_id", "customfield", "", "database_lookup_triggers[].field_name"),
			inferred(ext("database_lookup_triggers[].lookup_profile_id", "databaselookup", "")),
			inferred(owner("validation_data[].fiid", "customfield")),
			inferred(ref("validation_data[].filinktoid", "customfield", "", "")),
		}, visibility("customfield"), accessControl("customfield"),
			rowAccessControl("customfield", "values[]"), rowTranslations("customfield", "values[]")),
	},
	{
		Name: "fieldgroup", Endpoint: "/FieldGroup", Schema: "FieldGroup", ListKey: "fieldgroups",
		DetailQuery: "includedetails=true",
		NaturalKey:  []string{"name"},
		Unverified: described(
			Assumption{On: OnListQuery, Text: "/FieldGroup lists every group without parameters"}),
		Refs: join([]Ref{
			keyPairs("tickettypes", "tickettype"),
			keyPairs("outcomes", "outcome"),
		}, visibility("fieldgroup"), fieldRows("fieldgroup"), accessControl("fieldgroup"), translations("fieldgroup")),
	},
	{
		Name: "tickettypegroup", Endpoint: "/TicketTypeGroup", Schema: "RequestTypeGroup", ListKey: "tickettypegroups",
		DetailQuery: "includedetails=true",
		NaturalKey:  []string{"name"},
		Refs:        fieldRows("tickettypegroup"),
	},
	{
		Name: "status", Endpoint: "/Status", Schema: "TStatus", ListKey: "statuses",
		ListQuery: "showall=true", DetailQuery: "includedetails=true",
		NaturalKey: []string{"name"},
		Refs: join([]Ref{
			ref("statuschangeto", "status", "", "statuschangetoname"),
			ref("nochangetemplate", "emailtemplate", "nochangetemplate_guid", "nochangetemplatename"),
			ref("statusemailid", "emailtemplate", "statusemail_guid", "statusemailname"),
			keyPairs("tickettypes", "tickettype"),
			keyPairs("outcomes", "outcome"),
		}, translations("status")),
	},
	{
		Name: "priority", Endpoint: "/Priority", Schema: "Policy", ListKey: "priorities",
		DetailQuery: "includedetails=true",
		RefField:    "priorityid", StringID: true,
		NaturalKey: []string{"name"},
		Refs: join([]Ref{
			ref("slaid", "sla", "sla_guid", ""),
			inferred(ref("workdaysoverride", "workday", "", "")),
			copyOf("workdays", "workday"),
		}, translations("priority")),
	},
	{
		Name: "sla", Endpoint: "/SLA", Schema: "SlaHead", ListKey: "slas",
		DetailQuery: "includedetails=true",
		NaturalKey:  []string{"name"},
		Refs: join([]Ref{
			ref("statusafterautorelease", "status", "", "statusafterautorelease_name"),
			ref("slstatusafterfirstwarning", "status", "", ""),
			ref("slstatusaftersecondwarning", "status", "", ""),
			owner("priorities[].slaid", "sla"),
			ref("priorities[].priorityid", "priority", "", "priorities[].name"),
			inferred(ref("priorities[].workdaysoverride", "workday", "", "")),
			copyOf("priorities[].workdays", "workday"),
			ref("workday_id", "workday", "workday_guid", "workday_name"),
			copyOf("workdays", "workday"),
			// priorities[] are copies of priorities, translations included
			ref("priorities[].translations[].entity_id", "priority", "", ""),
			ext("priorities[].translations[].language_id", "language", ""),
		}, accessControl("sla")),
	},
	{
		Name: "category", Endpoint: "/Category", Schema: "CategoryDetail", ListKey: "categories",
		DetailQuery: "includedetails=true",
		NaturalKey:  []string{"type_id", "value"},
		Refs: join([]Ref{
			ref("sla_id", "sla", "", ""),
			ref("priority_id", "priority", "", ""),
			inferred(ref("chargerate", "lookup", "", "")), // a charge rate code
			ext("category_group_id", "categorygroup", ""),
		}, translations("category")),
	},
	{
		Name: "workflow", Endpoint: "/Workflow", Schema: "FlowHeader", ListKey: "workflows",
		ListQuery: "includeinactive=true", DetailQuery: "includedetails=true",
		NaturalKey: []string{"name"},
		RowKeys:    map[string]string{"stages": "name"}, // targets[] and ticket rules' olas[] point at them
		Refs: join([]Ref{
			owner("steps[].flow_id", "workflow"),
			ref("steps[].newticket_tickettype_id", "tickettype", "", ""),
			ref("steps[].newticket_template_id", "template", "", ""),
			ref("steps[].new_flow_id", "workflow", "", ""),
			// the step's automatic action: an outcome (it has a guid partner)
			ref("steps[].auto_action_type", "outcome", "steps[].auto_action_type_guid", ""),
			ext("steps[].pipeline_stage_id", "pipelinestage", "steps[].pipeline_stage_name"),
			inferred(ref("steps[].input_field_id", "customfield", "", "")),
			ext("steps[].newticket_service_id", "service", ""),
			// the step's actions (FlowSubDetail): outcomes the agent or an
			// automation may take; start_step and end_step are step_ids
			owner("steps[].actions[].flow_id", "workflow"),
			ref("steps[].actions[].action_id", "outcome", "steps[].actions[].action_guid", "steps[].actions[].action_name"),
			ref("steps[].actions[].time_limit_action_id", "outcome", "steps[].actions[].time_limit_action_guid", "steps[].actions[].time_limit_action_name"),
			ref("steps[].actions[].automation_action_id", "outcome", "steps[].actions[].automation_action_guid", "steps[].actions[].automation_action_name"),
			ref("steps[].actions[].todo_group_id", "todogroup", "", "steps[].actions[].todo_group_name"),
			// an action's restrictions: a custom field and one of its values
			inferred(ref("steps[].actions[].restrictions[].field_id", "customfield", "", "")),
			inferred(valueOf("steps[].actions[].restrictions[].value_id", "field_id", "", "steps[].actions[].restrictions[].value_name")),
			embedded("steps[].chat_teams[]", "team"),
			copyOf("steps[].rules[]", "ticketrule"),
			ext("steps[].output_variables[].method_id", "integrationmethod", ""),
			ref("always_allow_actions[].id", "outcome", "", "always_allow_actions[].outcome"),
			owner("stages[].flow_id", "workflow"),
			// edit_outcome may name an outcome; outcome_step is a step_id (notRefs)
			inferred(ext("stages[].edit_outcome", "stageoutcome", "")),
			owner("targets[].flow_id", "workflow"),
			// start/end stages are rows of stages[] of the same record, paired by name
			rowOf("targets[].start_stage_id", "workflow", "stages", "targets[].start_stage_name"),
			rowOf("targets[].end_stage_id", "workflow", "stages", "targets[].end_stage_name"),
			ref("targets[].workday", "workday", "", "targets[].workday_name"),
			inferred(ref("targets[].rule_id", "ticketrule", "", "")),
			copyOf("targets[].rules[]", "ticketrule"),
			owner("targets[].start_steps[].flowheader_id", "workflow"),
			owner("targets[].end_steps[].flowheader_id", "workflow"),
		}, criteria("steps[].step_conditions[]", "workflow"),
			criteria("steps[].actions[].conditions[]", "workflow"), criteria("steps[].actions[].conditions_exec[]", "workflow"),
			rowTranslations("workflow", "steps[]"), rowTranslations("workflow", "steps[].actions[]"),
			rowTranslations("workflow", "stages[]"), accessControl("workflow")),
	},
	{
		Name: "tickettype", Endpoint: "/TicketType", Schema: "RequestType", ListKey: "tickettypes",
		ListQuery: "showall=true&showinactive=true", DetailQuery: "includedetails=true&includeconfig=true",
		NaturalKey: []string{"name"},
		Refs: join([]Ref{
			ref("initial_status", "status", "initial_status_guid", ""),
			ref("statusafteruserupdate", "status", "statusafteruserupdate_guid", ""),
			ref("statusaftersupplierupdate", "status", "statusaftersupplierupdate_guid", ""),
			ref("statusaftertechupdate", "status", "statusaftertechupdate_guid", ""),
			ref("statusafterapproverupdate", "status", "statusafterapproverupdate_guid", ""),
			ref("reopenedstatus", "status", "reopenedstatus_guid", ""),
			ref("parentstatusafterallchildclosed", "status", "", "parentstatusafterallchildclosed_name"),
			ref("statusafterresourcebook", "status", "", ""),
			ref("ticket_status_after_appointment", "status", "", ""),
			ref("lapsafe_status_after_webhook", "status", "lapsafe_status_after_webhook_guid", ""),
			ref("allowed_status[].status_id", "status", "allowed_status[].status_guid", "allowed_status[].status_name"),
			owner("allowed_status[].ticketype_id", "tickettype"),
			ref("allowed_status[].tickettype_group_id", "tickettypegroup", "", ""),
			{Field: "kanbanstatuschoice[].id", Target: "status", StringID: true, Name: "kanbanstatuschoice[].name"},
			{Field: "kanbanstatuschoice_list", Target: "status", StringID: true, List: true}, // "12,13,14"
			ref("workflow_id", "workflow", "workflow_guid", "workflow_name"),
			ref("default_sla", "sla", "default_sla_guid", ""),
			ref("default_priority", "priority", "", ""),
			inferred(ref("maximumRestrictedPriority", "priority", "", "")),
			inferred(ref("close_kb_action", "outcome", "", "")), // the action that closes a ticket from a KB article
			inferred(ref("chargerate", "lookup", "", "")),       // a charge rate code
			ref("group_id", "tickettypegroup", "", "group_name"),
			ref("acknowledgementtemplate", "emailtemplate", "acknowledgementtemplate_guid", "acknowledgementtemplate_name"),
			ref("acknowledgementtemplateooh", "emailtemplate", "acknowledgementtemplateooh_guid", "acknowledgementtemplateooh_name"),
			ref("closedrequestsemailid", "emailtemplate", "closedrequestsemailguid", "closedrequestsemail_name"),
			ref("pendingrequestsemailid", "emailtemplate", "pendingrequestsemailguid", "pendingrequestsemail_name"),
			ref("appointmentdefaultbody", "emailtemplate", "appointmentdefaultbody_guid", "appointmentdefaultbody_name"),
			ref("overridewiththefollowingtemplatewhenloggingmanually", "template", "overridewiththefollowingtemplatewhenloggingmanually_guid", "overridewiththefollowingtemplatewhenloggingmanuallyname"),
			ref("allowed_child_tickettypes[].child_tickettype_id", "tickettype", "", "allowed_child_tickettypes[].child_tickettype_name"),
			owner("allowed_child_tickettypes[].tickettype_id", "tickettype"),
			ref("sprint_tickettype_id", "tickettype", "", "sprint_tickettype_name"),
			// Halo's generic restriction row, key1 the owner, key2 the allowed action
			inferred(owner("allowed_actions[].key1", "tickettype")),
			inferred(ref("allowed_actions[].key2", "outcome", "allowed_actions[].key2_guid", "allowed_actions[].key2_name")),
			owner("allowed_clients[].request_type", "tickettype"),
			ext("allowed_clients[].client_id", "client", "allowed_clients[].client_name"),
			owner("allowed_appointment_types[].tickettype_id", "tickettype"),
			ext("allowed_appointment_types[].appointmenttype_id", "appointmenttype", "allowed_appointment_types[].appointmenttype_name"),
			owner("allowed_iframe_customtabs[].tickettype_id", "tickettype"),
			ext("allowed_iframe_customtabs[].iframetab_id", "iframetab", "allowed_iframe_customtabs[].iframetab_name"),
			owner("allowed_suggestion_faqlists[].tickettype_id", "tickettype"),
			ext("allowed_suggestion_faqlists[].faq_id", "faqlist", "allowed_suggestion_faqlists[].faq_name"),
			owner("tab_config[].entity_id", "tickettype"),
			ext("tab_config[].screenlayout_id", "screenlayout", ""),
			ref("tab_config[].tab_id", "tickettab", "", "tab_config[].tab_name"),
			owner("load_balance_schedule.tickettype_id", "tickettype"),
			ref("load_balance_schedule.status_id", "status", "", ""),
			ext("load_balance_schedule.assignto_agent_id", "agent", ""),
			// a flag or a ticket type id; external until known
			inferred(ext("load_balance_schedule.asslinked_tickettype", "linkedtickettype", "")),
			embedded("default_services[]", "service"),
			{Field: "soc_default_target.value", Target: "soctarget", External: true, StringID: true, Name: "soc_default_target.label"},
			ext("default_agent", "agent", "default_agent_name"),
			ext("from_mailbox_id", "mailbox", ""),
			ref("approval_process_id", "approvalprocess", "approval_process_guid", "approval_process_name"),
			ext("pdftemplate_id", "pdftemplate", "pdftemplate_name"),
			ext("quote_pdftemplate_id", "pdftemplate", "quote_pdftemplate_name"),
			ref("fieldidlist", "customfield", "", ""), // an integer array: every element is a field id
			extGUID("childticketcolumnsoverride", "columnprofile", "childticketcolumnsoverride_guid", ""),
			ext("database_lookup_id", "databaselookup", ""),
			ext("default_appt_type", "appointmenttype", ""),
			ext("default_budgettype_id", "budgettype", ""),
			ext("default_matchedkbid", "kbarticle", ""),
			ext("default_product_id", "product", ""),
			ext("defaultagentresourcebookingduration_id", "bookingduration", ""),
			inferred(ext("defaultresourcetype", "resourcetype", "")),
			inferred(ext("defaultresourcetype_agent", "resourcetype", "")),
			inferred(ref("defaulttab", "tickettab", "", "")), // a tab id or a fixed tab number
			ext("salesforce_default_stage", "salesforcestage", ""),
			ext("slack_channel_workspace", "slackworkspace", ""),
		},
			teamRows("allowed_teams"), teamRows("allowed_resourcebooking_teams"),
			categoryRows("allowed_category1"), categoryRows("allowed_category2"),
			categoryRows("allowed_category3"), categoryRows("allowed_category4"),
			fieldRows("tickettype"), accessControl("tickettype"), translations("tickettype")),
	},
	{
		Name: "ticketarea", Endpoint: "/TicketArea", Schema: "TicketArea", ListKey: "ticketareas",
		DetailQuery: "includedetails=true",
		NaturalKey:  []string{"name"},
		Refs: []Ref{
			ref("default_ticket_type", "tickettype", "", ""),
			{Field: "kanbanstatuschoice[].id", Target: "status", StringID: true, Name: "kanbanstatuschoice[].name"},
			{Field: "kanbanstatuschoice_list", Target: "status", StringID: true, List: true}, // "12,13,14"
			ext("default_filter_id", "filterprofile", "default_filter_name"),
			ext("default_columns_id", "columnprofile", "default_columns_name"),
			ext("default_template_group_id", "templategroup", ""),
			ext("default_view_selectedid", "ticketview", ""),
			owner("filters[].area_id", "ticketarea"),
			extGUID("filters[].filter_id", "filter", "filters[].filter_guid", "filters[].filter_name"),
			extGUID("filters[].list_id", "viewlist", "filters[].list_guid", ""),
			extGUID("filters[].itemsupplier_id", "supplier", "filters[].itemsupplier_guid", ""),
			// what a filter value is depends on filter_type
			{Field: "filters[].filter_values[].id", Target: "filtervalue", External: true, StringID: true, Name: "filters[].filter_values[].name"},
			owner("team_restrictions[].ticket_area_id", "ticketarea"),
			extGUID("team_restrictions[].team_id", "team", "team_restrictions[].team_guid", "team_restrictions[].team_name"),
		},
	},
	{
		Name: "template", Endpoint: "/Template", Schema: "StdRequest", ListKey: "templates",
		ListQuery: "showall=true", DetailQuery: "includedetails=true",
		NaturalKey: []string{"name"},
		RowKeys:    map[string]string{"milestones": "name"},     // dependencies[] point at them
		Computed:   []string{"lastcreated", "nextcreationdate"}, // a recurring template's runs
		Refs: join([]Ref{
			ref("tickettype_id", "tickettype", "tickettype_guid", ""),
			ref("status_id", "status", "status_guid", ""),
			ref("workflow_id", "workflow", "workflow_guid", "workflow_name"),
			ref("priority_id", "priority", "", ""),
			ref("optional_status_id", "status", "", ""),
			ref("optional_tickettype_id", "tickettype", "", ""),
			ref("optional_workflow_id", "workflow", "", ""),
			ref("optional_priority_id", "priority", "", ""),
			ref("copied_from_id", "template", "", ""),
			owner("todo_list[].template_id", "template"),
			ref("todo_list[].group_id", "todogroup", "", "todo_list[].group_name"),
			copyOf("todo_list[].group", "todogroup"),
			ext("todo_list[].allowed_clients[].client_id", "client", ""),
			owner("todo_list[].allowed_clients[].template_id", "template"),
			// the to-do row the client is allowed for: the one that holds it
			rowOwner("todo_list[].allowed_clients[].todo_id", "template", "todo_list[]"),
			owner("creation_rules[].parent_template_id", "template"),
			ref("creation_rules[].child_template_id", "template", "", ""),
			ref("creation_rules[].outcome_id", "outcome", "", "creation_rules[].outcome_name"),
			// the template a ticket is created from when the rule's child
			// closes: it has a name partner, and of what a rule reaches
			// only templates have names (StdRequestRule has none)
			inferred(ref("creation_rules[].createonchildclose_id", "template", "", "creation_rules[].createonchildclose_name")),
			ref("creation_rules[].field_id", "customfield", "", "creation_rules[].field_name"),
			ext("creation_rules[].optionalservice_id", "service", ""),
			owner("budgets[].template_id", "template"),
			ext("budgets[].budgettype_id", "budgettype", "budgets[].budgettype_name"),
			owner("milestones[].from_template_id", "template"),
			ext("milestones[].ticket_id", "ticket", ""),
			// milestone rows of the same template, paired by name
			rowOf("milestones[].dependencies[].parent", "template", "milestones", "milestones[].dependencies[].parent_name"),
			rowOf("milestones[].dependencies[].child", "template", "milestones", ""),
			ext("additional_agents[].id", "agent", "additional_agents[].name"),
			ext("additional_agents[].faultid", "ticket", ""),
			copyOf("customfields[]", "customfield"),
			copyOf("optional_customfields[]", "customfield"),
			embedded("assets[]", "asset"),
			embedded("optional_assets[]", "asset"),
			embedded("users[]", "user"),
			embedded("services[]", "service"),
			ext("agent_id", "agent", "agent_name"),
			ext("optional_agent_id", "agent", ""),
			ext("restrictto_agent_id", "agent", "restrictto_agent_name"),
			extGUID("restrictto_team_id", "team", "restrictto_team_guid", "restrictto_team_name"),
			extGUID("restrictto_department_id", "department", "restrictto_department_guid", "restrictto_department_name"),
			ext("user_id", "user", ""),
			inferred(ref("approval_id", "approvalprocess", "", "")),
			ext("budgettype_id", "budgettype", ""),
			ext("optional_budgettype_id", "budgettype", ""),
			inferred(ext("defaultresourcetype", "resourcetype", "")),
			inferred(ext("optional_defaultresourcetype", "resourcetype", "")),
			ext("group_id", "templategroup", ""),
			ext("kb_id", "kbarticle", ""),
			ext("kbid", "kbarticle", ""),
			ext("optional_kb_id", "kbarticle", ""),
			ext("service", "service", ""),
			inferred(ext("optionalservice", "service", "")),  // a service id or a flag
			inferred(ext("optional_service", "service", "")), // a service id or a flag
			ext("optional_service_details_id", "servicedetail", ""),
			ext("notification_id", "notification", ""),
			ext("invoice_id", "invoice", ""),
			ext("report_id", "report", ""),
			ext("reportid", "report", ""),
			inferred(ext("reportarea", "reportarea", "")),
			ext("reportsite", "site", ""),
			inferred(ext("did", "asset", "")), // a device id
			ext("clone_parent_id", "ticket", ""),
			ext("created_ticket_id", "ticket", ""),
			ext("one_ticket_id", "ticket", ""),
			ext("parentticketid", "ticket", ""),
			// the status the parent ticket takes when this child closes
			// (an integer, beside parentticketid)
			inferred(ref("updateparent_status_close", "status", "", "")),
		}, criteria("automationcriteria[]", "template"), accessControl("template")),
	},
	{
		Name: "outcome", Endpoint: "/Outcome", Schema: "TOutcome", ListKey: "outcomes",
		ListQuery: "showhidden=true", DetailQuery: "includedetails=true",
		NaturalKey: []string{"outcome"},
		Refs: join([]Ref{
			ref("newstatus", "status", "newstatus_guid", ""),
			ref("default_linkedticket_status", "status", "default_linkedticket_status_guid", ""),
			ref("child_ticket_type_id", "tickettype", "child_ticket_type_guid", "child_ticket_type_name"),
			ref("requesttype", "tickettype", "requesttype_guid", ""),
			keyPairs("tickettypes", "tickettype"),
			ref("child_template_id", "template", "child_template_guid", "child_template_name"),
			ref("todo_template_id", "template", "todo_template_guid", "todo_template_name"),
			ref("emailtemplate_id", "emailtemplate", "emailtemplate_guid", "emailtemplate_name"),
			ref("child_emailtemplate_id", "emailtemplate", "child_emailtemplate_guid", "child_emailtemplate_name"),
			ref("workflow_id", "workflow", "workflow_guid", "workflow_name"),
			keyPairs("workflows", "workflow"),
			ref("defaultpriority", "priority", "", ""),
			ext("defaultagent", "agent", "defaultagent_name"),
			ref("approval_process_id", "approvalprocess", "approval_process_guid", "approval_process_name"),
			inferred(ref("chargerate", "lookup", "", "")), // charge rate codes, by the code's id
			inferred(ref("travelrate", "lookup", "", "")),
			ext("reportid", "report", "reportname"),
			ext("pdftemplate_id", "pdftemplate", "pdftemplate_name"),
			ext("defaultsupplier_id", "supplier", "defaultsupplier_name"),
			ext("newaction_emailfrom", "mailbox", ""),
			ext("override_from_mailbox_id", "mailbox", "override_from_mailbox_name"),
			ext("script_id", "script", "script_name"),
			ext("azure_connection_id", "azureconnection", ""),
			embedded("azure_connection", "azureconnection"),
			// IntegrationFieldMapping rows: fiid is the Halo field (a FieldInfo
			// id, named in name), msid the other side's field
			inferred(ref("azure_input_mappings[].fiid", "customfield", "", "azure_input_mappings[].name")),
			inferred(ext("azure_input_mappings[].msid", "integrationfield", "")),
			inferred(ref("azure_output_mappings[].fiid", "customfield", "", "azure_output_mappings[].name")),
			inferred(ext("azure_output_mappings[].msid", "integrationfield", "")),
			ext("callscreencallscript", "callscript", ""),
			inferred(ext("create_issue_type", "integrationissuetype", "")),
			ext("default_asset_status", "assetstatus", ""),
			extGUID("default_asset_type", "assettype", "default_asset_type_guid", "default_asset_type_name"),
			ext("default_opp_closure_cat", "opportunityclosurecategory", ""),
			ext("defaultappointmentstatus", "appointmentstatus", ""),
			ext("defaultappointmenttype", "appointmenttype", ""),
			inferred(ext("defaultuserdef", "userdef", "")),
			inferred(ext("parentdefaultuser", "user", "")), // a user id or a flag
			ext("from_action_id", "ticketaction", ""),
			ext("to_ticket_id", "ticket", ""),
			ext("integration_method_id", "integrationmethod", ""),
			ext("newaction_supplier_contract_id", "suppliercontract", ""),
			ext("newaction_supplier_priority_id", "supplierpriority", ""),
			ext("newaction_supplier_sla_id", "suppliersla", ""),
			ext("newaction_thirdpartynhdapiareaid", "thirdpartyarea", ""),
			ext("newaction_thirdpartynhdapisupplierid", "supplier", ""),
			ext("newaction_thirdpartynhdjirasupplierid", "supplier", ""),
			ext("newaction_thirdpartynhdservicenowsupplierid", "supplier", ""),
			embedded("newaction_supplier", "supplier"),
			embedded("newticket_user", "user"),
			embedded("attachments[]", "attachment"),
			{Field: "lapsafe_default_installation_obj.value", Target: "lapsafeinstallation", External: true, StringID: true, Name: "lapsafe_default_installation_obj.label"},
			ext("releaseid", "release", ""),
			ext("releaseid2", "release", ""),
			ext("releaseid3", "release", ""),
			ext("worddocid", "worddocument", ""),
		}, fieldRows("outcome"), accessControl("outcome"), translations("outcome")),
	},
	{
		// Approval processes, their steps and the steps' rules (who approves).
		Name: "approvalprocess", Endpoint: "/ApprovalProcess", Schema: "ApprovalProcess", ListKey: "approvalprocesses",
		DetailQuery: "includedetails=true",
		NaturalKey:  []string{"name"},
		Unverified: described(
			Assumption{On: OnListQuery, Text: "/ApprovalProcess lists every process without parameters"},
			Assumption{On: OnDetailQuery, Text: "the detail holds steps[] with their rules[]", Fields: []string{"steps", "steps[].rules"}}),
		Refs: join([]Ref{
			owner("steps[].processid", "approvalprocess"),
			approver("steps[]", "asunumcab_guid"),
			ext("steps[].user_id", "user", "steps[].user_name"),
			ext("steps[].client_id", "client", "steps[].client_name"),
			ext("steps[].site_id", "site", "steps[].site_name"),
			ext("steps[].role_id", "role", "steps[].role_name"),
			ref("steps[].customfieldid", "customfield", "steps[].customfieldguid", "steps[].customfield_name"),
			ref("steps[].statusafteraccept", "status", "", ""),
			ref("steps[].statusafterreject", "status", "", ""),
			ref("steps[].statusifnoapproval", "status", "", ""),
			ref("steps[].statusawaitingapproval", "status", "", ""),
			ref("steps[].statusafterstartdatepassed", "status", "", ""),
			inferred(ref("steps[].templateid", "emailtemplate", "steps[].templateguid", "")), // the approval request
			ref("steps[].accepttemplateid", "emailtemplate", "steps[].accepttemplateguid", ""),
			ref("steps[].rejecttemplateid", "emailtemplate", "steps[].rejecttemplateguid", ""),
			ref("steps[].remindertemplateid", "emailtemplate", "steps[].remindertemplateguid", ""),
			ref("steps[].notify_on_auto_approve_emailtemplate_id", "emailtemplate", "steps[].notify_on_auto_approve_emailtemplate_guid", ""),
			inferred(ext("steps[].pssid", "approvalstepstatus", "")),
		},
			// the fields the approver fills in; rtid is the step's row
			fieldRowsAt("approvalprocess", "steps[].fields[]", inferred(rowOwner("steps[].fields[].rtid", "approvalprocess", "steps[]")),
				ref("steps[].fields[].groupid", "fieldgroup", "steps[].fields[].groupguid", "")),
			approvalRules("steps[].rules[]"), approvalRules("steps[].notification_rules[]"), accessControl("approvalprocess")),
	},
	{
		// Ticket rules (Halo's assignment rules): what a ticket matching
		// the criteria gets.
		Name: "ticketrule", Endpoint: "/TicketRules", Schema: "Autoassign", ListKey: "rules",
		DetailQuery: "includedetails=true",
		NaturalKey:  []string{"name"},
		Unverified: described(
			Assumption{On: OnListQuery, Text: "/TicketRules lists every rule, inactive ones and those of workflow steps (flowdetail_id) included"}),
		Refs: join([]Ref{
			ext("new_agent_id", "agent", "new_agent_name"),
			ref("new_priority_id", "priority", "", ""),
			ref("new_status_id", "status", "newstatus_guid", ""),
			ref("new_sla_id", "sla", "new_sla_guid", ""),
			ref("new_category_1_id", "category", "new_category_1_guid", "new_category_1_name"),
			ref("new_category_2_id", "category", "new_category_2_guid", "new_category_2_name"),
			ref("new_category_3_id", "category", "new_category_3_guid", "new_category_3_name"),
			ref("new_category_4_id", "category", "new_category_4_guid", "new_category_4_name"),
			ext("new_product_id", "product", "new_product_name"),
			ref("new_workflow_id", "workflow", "newworkflow_guid", "new_workflow_name"),
			ref("new_template_id", "template", "newtemplate_guid", "new_template_name"),
			ref("outcome_id", "outcome", "", "outcome_name"),
			ext("script_id", "script", "script_name"),
			inferred(ref("rule_ids", "ticketrule", "", "")), // an integer array of rules
			// the workflow step the rule belongs to: a row the target issues anew
			ext("flowdetail_id", "workflowstep", ""),
			owner("outcomes[].rule_id", "ticketrule"),
			inferred(ext("outcomes[].fieldid", "ticketfield", "")),
			byField("outcomes[].value_int", ""), // the value the rule sets fieldname to
			// the rule's OLAs (WorkflowTarget rows, as a workflow's targets[])
			owner("olas[].rule_id", "ticketrule"),
			inferred(ref("olas[].flow_id", "workflow", "olas[].flow_guid", "")),
			// stages of the workflow flow_id names, paired by name
			inferred(Ref{Field: "olas[].start_stage_id", Target: "workflow", Row: "stages", In: "flow_id", Name: "olas[].start_stage_name"}),
			inferred(Ref{Field: "olas[].end_stage_id", Target: "workflow", Row: "stages", In: "flow_id", Name: "olas[].end_stage_name"}),
			ref("olas[].workday", "workday", "", "olas[].workday_name"),
			copyOf("olas[].rules[]", "ticketrule"),
			inferred(ref("olas[].start_steps[].flowheader_id", "workflow", "", "")),
			inferred(ref("olas[].end_steps[].flowheader_id", "workflow", "", "")),
			embedded("events[]", "notification"),
			embedded("database_lookups[]", "databaselookup"),
			embedded("popup_notes[]", "popupnote"),
		}, criteria("criteria[]", "ticketrule"), accessControl("ticketrule")),
	},
}

func init() {
	for _, k := range kinds {
		if k.RefField == "" {
			k.RefField = "id"
		}
		for i, r := range k.Refs {
			// A copy of another record (fields[].fieldinfo.id): its guid,
			// where its schema has one, travels with its id.
			if guid := strings.TrimSuffix(r.Field, "id") + "guid"; r.GUID == "" && Leaf(r.Field) == "id" && r.Nested() {
				if _, _, ok := FieldAt(k.Schema, guid); ok {
					k.Refs[i].GUID = guid
				}
			}
		}
	}
}
