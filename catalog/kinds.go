package catalog

// ref and ext build the Ref entries below; guid and name are the partner
// fields ("" when the schema has none).
func ref(field, target, guid, name string) Ref {
	return Ref{Field: field, Target: target, GUID: guid, Name: name}
}

func ext(field, target, name string) Ref {
	return Ref{Field: field, Target: target, External: true, Name: name}
}

func keyPairs(array, target string) Ref {
	return Ref{Field: array + "[].value", Target: target, StringID: true, Name: array + "[].label"}
}

func owner(field, target string) Ref {
	return Ref{Field: field, Target: target, Owner: true}
}

// kinds: the order is the export order and the tie-break order of imports.
var kinds = []*Kind{
	{
		Name: "emailtemplate", Endpoint: "/EmailTemplate", Schema: "MessageContent", ListKey: "emailtemplates",
		DetailQuery: "includedetails=true",
		NaturalKey:  []string{"name"},
		Refs: []Ref{
			ext("messagegroup_id", "messagegroup", ""),
			ext("sectionid", "team", ""),
		},
	},
	{
		Name: "tickettypegroup", Endpoint: "/TicketTypeGroup", Schema: "RequestTypeGroup", ListKey: "tickettypegroups",
		DetailQuery: "includedetails=true",
		NaturalKey:  []string{"name"},
		Refs: []Ref{
			ext("fields[].fieldid", "customfield", "fields[].fieldname"),
		},
	},
	{
		Name: "status", Endpoint: "/Status", Schema: "TStatus", ListKey: "statuses",
		ListQuery: "showall=true", DetailQuery: "includedetails=true",
		NaturalKey: []string{"name"},
		Refs: []Ref{
			ref("statuschangeto", "status", "", "statuschangetoname"),
			ref("nochangetemplate", "emailtemplate", "nochangetemplate_guid", "nochangetemplatename"),
			ref("statusemailid", "emailtemplate", "statusemail_guid", "statusemailname"),
			keyPairs("tickettypes", "tickettype"),
			keyPairs("outcomes", "outcome"),
			ext("statusnochangehoursmanager", "agent", ""),
		},
	},
	{
		Name: "priority", Endpoint: "/Priority", Schema: "Policy", ListKey: "priorities",
		DetailQuery: "includedetails=true",
		RefField:    "priorityid", StringID: true,
		NaturalKey: []string{"name"},
		Refs: []Ref{
			ref("slaid", "sla", "sla_guid", ""),
			ext("workdaysoverride", "workday", ""),
		},
	},
	{
		Name: "sla", Endpoint: "/SLA", Schema: "SlaHead", ListKey: "slas",
		DetailQuery: "includedetails=true",
		NaturalKey:  []string{"name"},
		Refs: []Ref{
			ref("statusafterautorelease", "status", "", "statusafterautorelease_name"),
			ref("slstatusafterfirstwarning", "status", "", ""),
			ref("slstatusaftersecondwarning", "status", "", ""),
			owner("priorities[].slaid", "sla"),
			ref("priorities[].priorityid", "priority", "", "priorities[].name"),
			ext("workday_id", "workday", "workday_name"),
		},
	},
	{
		Name: "category", Endpoint: "/Category", Schema: "CategoryDetail", ListKey: "categories",
		DetailQuery: "includedetails=true",
		NaturalKey:  []string{"type_id", "value"},
		Refs: []Ref{
			ref("sla_id", "sla", "", ""),
			ref("priority_id", "priority", "", ""),
			ext("category_group_id", "categorygroup", ""),
		},
	},
	{
		Name: "workflow", Endpoint: "/Workflow", Schema: "FlowHeader", ListKey: "workflows",
		ListQuery: "includeinactive=true", DetailQuery: "includedetails=true",
		NaturalKey: []string{"name"},
		Refs: []Ref{
			owner("steps[].flow_id", "workflow"),
			ref("steps[].newticket_tickettype_id", "tickettype", "", ""),
			ref("steps[].newticket_template_id", "template", "", ""),
			ref("always_allow_actions[].id", "outcome", "", "always_allow_actions[].outcome"),
			owner("stages[].flow_id", "workflow"),
		},
	},
	{
		Name: "tickettype", Endpoint: "/TicketType", Schema: "RequestType", ListKey: "tickettypes",
		ListQuery: "showall=true&showinactive=true", DetailQuery: "includedetails=true&includeconfig=true",
		NaturalKey: []string{"name"},
		Refs: []Ref{
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
			ref("workflow_id", "workflow", "workflow_guid", "workflow_name"),
			ref("default_sla", "sla", "default_sla_guid", ""),
			ref("default_priority", "priority", "", ""),
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
			ref("allowed_category1[].category_id", "category", "allowed_category1[].category_guid", ""),
			ref("allowed_category2[].category_id", "category", "allowed_category2[].category_guid", ""),
			ref("allowed_category3[].category_id", "category", "allowed_category3[].category_guid", ""),
			ref("allowed_category4[].category_id", "category", "allowed_category4[].category_guid", ""),
			ext("default_agent", "agent", "default_agent_name"),
			ext("from_mailbox_id", "mailbox", ""),
			ext("approval_process_id", "approvalprocess", "approval_process_name"),
			ext("pdftemplate_id", "pdftemplate", "pdftemplate_name"),
			ext("quote_pdftemplate_id", "pdftemplate", "quote_pdftemplate_name"),
		},
	},
	{
		Name: "ticketarea", Endpoint: "/TicketArea", Schema: "TicketArea", ListKey: "ticketareas",
		DetailQuery: "includedetails=true",
		NaturalKey:  []string{"name"},
		Refs: []Ref{
			ref("default_ticket_type", "tickettype", "", ""),
			ext("default_filter_id", "filterprofile", "default_filter_name"),
			ext("default_columns_id", "columnprofile", "default_columns_name"),
		},
	},
	{
		Name: "template", Endpoint: "/Template", Schema: "StdRequest", ListKey: "templates",
		ListQuery: "showall=true", DetailQuery: "includedetails=true",
		NaturalKey: []string{"name"},
		Refs: []Ref{
			ref("tickettype_id", "tickettype", "tickettype_guid", ""),
			ref("status_id", "status", "status_guid", ""),
			ref("workflow_id", "workflow", "workflow_guid", "workflow_name"),
			ref("priority_id", "priority", "", ""),
			ref("optional_status_id", "status", "", ""),
			ref("optional_tickettype_id", "tickettype", "", ""),
			ref("optional_workflow_id", "workflow", "", ""),
			ref("optional_priority_id", "priority", "", ""),
			owner("todo_list[].template_id", "template"),
			ext("agent_id", "agent", "agent_name"),
			ext("restrictto_agent_id", "agent", "restrictto_agent_name"),
			ext("restrictto_team_id", "team", "restrictto_team_name"),
			ext("restrictto_department_id", "department", "restrictto_department_name"),
		},
	},
	{
		Name: "outcome", Endpoint: "/Outcome", Schema: "TOutcome", ListKey: "outcomes",
		ListQuery: "showhidden=true", DetailQuery: "includedetails=true",
		NaturalKey: []string{"outcome"},
		Refs: []Ref{
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
			ext("approval_process_id", "approvalprocess", "approval_process_name"),
			ext("reportid", "report", "reportname"),
			ext("pdftemplate_id", "pdftemplate", "pdftemplate_name"),
			ext("defaultsupplier_id", "supplier", "defaultsupplier_name"),
			ext("newaction_emailfrom", "mailbox", ""),
			ext("override_from_mailbox_id", "mailbox", "override_from_mailbox_name"),
			ext("script_id", "script", "script_name"),
		},
	},
}

func init() {
	for _, k := range kinds {
		if k.RefField == "" {
			k.RefField = "id"
		}
	}
}
