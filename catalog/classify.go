package catalog

import (
	"slices"
	"strings"
)

// NamedLikeRef reports whether an integer field name looks as if it could
// hold the id of another record. It errs on the side of flagging: the
// catalog test requires every flagged integer field of the kinds' schemas to
// be a Ref (internal or external) or to be listed in notRefs with a reason.
//
// A name (lower-cased, trailing digits ignored) is flagged when it
//   - ends in "id" or "ids", or contains "_id" or "idlist" ("id",
//     "status_id", "priorityid", "releaseid2", "fieldidlist"), but not "guid";
//   - or contains one of refWords ("newstatus", "defaultagent", "requesttype").
//
// The test walks every integer and integer-array field of the kinds'
// schemas and of the schemas they nest SchemaDepth levels deep
// ("steps[].actions[].conditions[].stdid"); it also requires the (string) id
// of every nested KeyPair2 (value) and KeyPair (id), and every text field
// named like a list of references ("kanbanstatuschoice_list"), to be
// classified.
func NamedLikeRef(name string) bool {
	n := strings.TrimRight(strings.ToLower(name), "0123456789")
	if strings.HasSuffix(n, "guid") {
		return false
	}
	if strings.HasSuffix(n, "id") || strings.HasSuffix(n, "ids") ||
		strings.Contains(n, "_id") || strings.Contains(n, "idlist") {
		return true
	}
	for _, w := range refWords {
		if strings.Contains(n, w) {
			return true
		}
	}
	return false
}

// refWords name things a Halo record can point at, or parts of such names.
var refWords = []string{
	"action", "agent", "appointment", "appt", "approv", "area", "asset", "budget", "cat",
	"channel", "chat", "child", "client", "column", "company", "connection", "contact",
	"contract", "currency", "customer", "department", "device", "email", "entity", "faq",
	"field", "filter", "flow", "group", "holiday", "integration", "invoice", "item", "kanban",
	"kb", "key", "language", "layout", "linked", "lookup", "mailbox", "manager", "mapping", "outcome",
	"owner", "parent", "pdf", "priority", "product", "project", "rate", "release", "report", "request",
	"resource", "role", "rule", "schedule", "script", "section", "service", "site", "sla",
	"sprint", "stage", "status", "step", "supplier", "survey", "tab", "target", "tax", "team",
	"tech", "template", "tenant", "ticket", "type", "user", "value_int", "view", "webhook", "workday",
	"workspace",
}

// notRefs lists the integer fields named like a reference that hold no id
// of another record, with the reason. Keys are "Schema.path":
//   - "TStatus.sequence": a field of a schema, wherever the schema appears
//     (a Ref of a kind on the same path wins: "TOutcome.id" is the record's
//     own id, but always_allow_actions[].id of a workflow is a reference);
//   - "RequestType.cors_whitelist_list[].value": one nested path of a root schema;
//   - "FlowHeader.always_allow_actions[].*": every field of an embedded copy
//     of another record, whose reference is carried by a Ref on the same
//     container (always_allow_actions[].id), and of the rows it nests; the
//     copied record's own references are remapped when that record's kind is.
//
// A reason ending in "(inferred)" was read from the field's name alone, as
// an inferred Ref is: UnverifiedNotRefs lists them.
var notRefs = map[string]string{
	// Own ids: a record's id is remapped by matching, not by rewriting.
	"TStatus.id":          "the record's own id",
	"TOutcome.id":         "the record's own id",
	"RequestType.id":      "the record's own id",
	"RequestTypeGroup.id": "the record's own id",
	"TicketArea.id":       "the record's own id",
	"StdRequest.id":       "the record's own id",
	"CategoryDetail.id":   "the record's own id",
	"FlowHeader.id":       "the record's own id",
	"SlaHead.id":          "the record's own id",
	"MessageContent.id":   "the record's own id",
	"Policy.priorityid":   "the priority's own integer id (its RefField)",
	"Workdays.id":         "the record's own id",
	"Lookup.id":           "the lookup code's own id (a custom field value's: its row id, issued by the target)",
	"ToDoGroup.id":        "the record's own id",
	"CannedText.id":       "the record's own id",
	"Tabname.id":          "the record's own id",
	"FieldInfo.id":        "the record's own id",
	"FieldGroup.id":       "the record's own id",
	"ApprovalProcess.id":  "the record's own id",
	"Autoassign.id":       "the record's own id",
	"Lookup.lookupid":     "the lookup list a code belongs to: part of a lookup's natural key; in a field's values[], the field's list (lookup)",
	// Halo's own, assuming Halo assigns a field's lookup list itself on create
	"FieldInfo.lookup": "the number of the lookup list holding the field's values (values[].lookupid), Halo's own (inferred)",

	// Ids of nested rows: they identify the row within its record and are
	// issued anew by the target tenant (the importer must not carry them over).
	"AccessControl.id":                         "id of the row itself",
	"LanguagePackTranslationsCustom.id":        "id of the row itself",
	"RequestTypeField.id":                      "id of the row itself",
	"SectionRequestType.id":                    "id of the row itself",
	"AppointmentTypeRequestType.id":            "id of the row itself",
	"IframeTabRequestType.id":                  "id of the row itself",
	"FaqRequestType.id":                        "id of the row itself",
	"ChildRequestType.id":                      "id of the row itself",
	"CategoryRestriction.id":                   "id of the row itself",
	"Restriction.id":                           "id of the row itself",
	"TabConfig.id":                             "id of the row itself",
	"AssignSchedule.id":                        "id of the row itself",
	"ViewFilterDetails.id":                     "id of the row itself",
	"AreaSectionDetail.id":                     "id of the row itself",
	"IntegrationFieldMapping.id":               "id of the row itself",
	"STDToDo.id":                               "id of the row itself",
	"STDrequestbudget.id":                      "id of the row itself",
	"StdRequestRule.id":                        "id of the row itself",
	"AutoassignCriteria.id":                    "id of the row itself",
	"MileStone.id":                             "id of the row itself",
	"FlowStages.id":                            "id of the row itself (targets[] point at it: see workflowstage)",
	"FlowDetail.fdid":                          "id of the row itself",
	"FlowDetail.step_id":                       "the step's number within its workflow",
	"WorkflowTarget.id":                        "id of the row itself",
	"FlowSubDetail.id":                         "id of the row itself",
	"MileStoneDependency.id":                   "id of the row itself",
	"OutboundIntegrationMethodValue.id":        "id of the row itself",
	"WorkflowTargetStep.id":                    "id of the row itself",
	"RequestTypeFieldRestriction.id":           "id of the row itself",
	"CustomFieldValueRestrictions.id":          "id of the row itself",
	"CustomFieldVisibility.id":                 "id of the row itself",
	"Holidays.holid":                           "id of the row itself (its uuid id too)",
	"Timeslot.id":                              "id of the row itself",
	"ChargeRate.id":                            "id of the row itself",
	"FaultToDo.id":                             "id of the row itself",
	"AreaField.id":                             "id of the row itself",
	"OrganisationField.id":                     "id of the row itself",
	"PartsLookupField.id":                      "id of the row itself",
	"CustomFieldValidation.id":                 "id of the row itself",
	"ApprovalProcessStep.id":                   "id of the row itself",
	"ApprovalProcessRule.id":                   "id of the row itself",
	"AutoassignOutcome.id":                     "id of the row itself",
	"ApprovalProcessRuleCriteria.id":           "id of the row itself",
	"FlowSubDetailRestriction.id":              "id of the row itself",
	"OutboundIntegrationMethodValueMapping.id": "id of the row itself",
	// Ids of the nested row that holds a row: issued anew by the target, as
	// WorkflowTargetStep.workflowtarget_id.
	"ApprovalProcessRuleCriteria.rule_id":                  "id of the rules[] row that holds it (inferred)",
	"FlowSubDetailRestriction.flowsubdetail_id":            "id of the actions[] row that holds it (inferred)",
	"OutboundIntegrationMethodValueMapping.methodvalue_id": "id of the output_variables[] row that holds it (inferred)",
	// Step numbers are carried over as they are (FlowDetail.step_id), so
	// fields holding one need no remapping.
	"FlowSubDetail.start_step":               "the step_id of the step the action leaves",
	"FlowSubDetail.end_step":                 "the step_id of the step the action leads to",
	"WorkflowTargetStep.step_id":             "the step_id of a step of the same workflow",
	"WorkflowTargetStep.workflowtarget_id":   "id of the targets[] row that holds it, issued anew by the target",
	"OutboundIntegrationMethodValue.step_id": "the step_id of the step that outputs the variable (inferred)",

	// Embedded copies of other records: their id is an external Ref.
	"TOutcome.newaction_supplier.*":         "copy of the supplier (newaction_supplier.id)",
	"TOutcome.newticket_user.*":             "copy of the user (newticket_user.id)",
	"TOutcome.attachments[].*":              "copy of the attachment (attachments[].id)",
	"TOutcome.azure_connection.*":           "copy of the Azure connection (azure_connection.id)",
	"RequestType.default_services[].*":      "copy of the service (default_services[].id)",
	"StdRequest.customfields[].*":           "copy of the custom field definition (customfields[].id)",
	"StdRequest.optional_customfields[].*":  "copy of the custom field definition (optional_customfields[].id)",
	"StdRequest.assets[].*":                 "copy of the asset (assets[].id)",
	"StdRequest.optional_assets[].*":        "copy of the asset (optional_assets[].id)",
	"StdRequest.users[].*":                  "copy of the user (users[].id)",
	"StdRequest.services[].*":               "copy of the service (services[].id)",
	"FlowHeader.always_allow_actions[].*":   "copy of the outcome (always_allow_actions[].id)",
	"Policy.workdays.*":                     "copy of the workday (workdays.id)",
	"SlaHead.workdays.*":                    "copy of the workday (workdays.id)",
	"TOutcome.fields[].fieldinfo.*":         "copy of the custom field (fields[].fieldinfo.id)",
	"RequestType.fields[].fieldinfo.*":      "copy of the custom field (fields[].fieldinfo.id)",
	"RequestTypeGroup.fields[].fieldinfo.*": "copy of the custom field (fields[].fieldinfo.id)",
	"FlowHeader.steps[].chat_teams[].*":     "copy of the team (steps[].chat_teams[].id)",
	// Assignment rules are records of their own (targets[].rule_id): a
	// workflow shows copies of those attached to its steps and targets.
	"FlowHeader.steps[].rules[].*":                       "copy of the assignment rule (steps[].rules[].id)",
	"FlowHeader.targets[].rules[].*":                     "copy of the assignment rule (targets[].rules[].id)",
	"StdRequest.milestones[].milestone_dependencies[].*": "copies of the milestone rows this one depends on (dependencies[] links them)",
	"StdRequest.milestones[].tickets[].*":                "tickets on the milestone, written by Halo",
	"FieldGroup.fields[].fieldinfo.*":                    "copy of the custom field (fields[].fieldinfo.id)",
	"Tabname.fields[].*":                                 "copy of the custom field (fields[].id)",
	"FieldInfo.table_info.*":                             "copy of the custom table (table_info.id)",
	"Lookup.sub_lookup[].*":                              "copy of the codes below this one (sub_lookup[].id)",
	"Autoassign.olas[].rules[].*":                        "copy of the ticket rule (olas[].rules[].id)",
	"Autoassign.events[].*":                              "copy of the notification (events[].id)",
	"Autoassign.database_lookups[].*":                    "copy of the integration lookup (database_lookups[].id)",
	"Autoassign.popup_notes[].*":                         "copy of the pop-up note (popup_notes[].id)",
	"Workdays.holidays[].appointmentobj.*":               "the appointment that books an agent's holiday, written by Halo",
	"Workdays.holidays[].schedule.*":                     "the holiday's recurrence: its row, enumerations, no agent or ticket type (inferred)",
	"FieldInfo.lookup_request.*":                         "a request to run the field's SQL lookup, not configuration",
	"FieldInfo.defaultvalue_table[].*":                   "rows of the field's custom table (data, not configuration), carried as they are",
	"FieldInfo.table_values[].*":                         "rows of the field's custom table (data, not configuration), carried as they are",
	"FieldInfo.values[].rates[].*":                       "charge rates: a field's values carry none (inferred)",
	"FieldInfo.values[].sub_lookup[].*":                  "codes below a value: a field's values carry none (inferred)",
	"FieldInfo.values[].overriding_rate_id":              "charge rates: a field's values carry none (inferred)",
	"Autoassign.user.*":                                  "a user to test the rule against (_domatch), not configuration",
	"RequestTypeGroup.fields[].group.*":                  "copy of the field group (fields[].group.id)",
	"RequestType.fields[].group.*":                       "copy of the field group (fields[].group.id)",
	"TOutcome.fields[].group.*":                          "copy of the field group (fields[].group.id)",
	"FieldGroup.fields[].group.*":                        "copy of the field group (fields[].group.id)",
	"ApprovalProcess.steps[].fields[].fieldinfo.*":       "copy of the custom field (steps[].fields[].fieldinfo.id)",
	"SlaHead.priorities[].workdays.*":                    "copy of the workday (priorities[].workdays.id)",
	"StdRequest.todo_list[].group.*":                     "copy of the to-do group (todo_list[].group.id)",
	// Ticket data Halo writes, not configuration.
	"StdRequest.new_audits[].*":               "audit rows of tickets, written by Halo",
	"StdRequest.new_changes[].*":              "invoice change rows, written by Halo",
	"FlowHeader.workflow_history[].*":         "tickets' moves through the workflow, written by Halo",
	"RequestType.cors_whitelist_list[].value": "an allowed CORS origin (a URL)",

	// Keys and numbers Halo gives rows, read from the field names alone.
	"LanguagePackTranslationsCustom.entity_id2":     "second part of the translated thing's key beside entity and entity_id (a sub-entity number), not an id of another record (inferred)",
	"AutoassignCriteria.flowsubdetails_criteria_id": "the workflow action whose conditions hold the row (a Ref there); unused in the conditions of steps, templates and ticket rules (inferred)",
	// Qualification.criteria[] (QualificationCategory) hold AutoassignCriteria rows in fields[]:
	"AutoassignCriteria.qualification_criteria_id": "the qualification criterion (a row of a qualification's criteria[]) whose fields[] hold the row; unused in the conditions of workflows, templates and ticket rules (inferred)",
	"FlowStages.outcome_step":                      "the step_id of a step of the same workflow (a number within it, as an action's start_step and end_step) (inferred)",
	"StdRequestRule.group_id":                      "a number grouping a template's creation rules, not an id of another record (inferred)",

	// Enumerations, flags, counts and numbers.
	"ApprovalProcess.type":                                    "enumeration",
	"ApprovalProcessStep.type":                                "enumeration: who approves (agent_id_or_cab_id an agent or a CAB ...)",
	"ApprovalProcessStep.approvalreminderintervalhrs":         "a number of hours",
	"ApprovalProcessStep.minapprovers":                        "a number of approvers",
	"ApprovalProcessStep.notify_on_auto_approve_impact_level": "an impact level",
	"ApprovalProcessStep.notify_on_auto_approve_risk_level":   "a risk level",
	"ApprovalProcessStep.notify_on_auto_approve_type":         "enumeration",
	"ApprovalProcessStep.notifyagenttype":                     "enumeration",
	"ApprovalProcessStep.notifyendusertype":                   "enumeration",
	"ApprovalProcessRule.type":                                "enumeration: who approves",
	"ApprovalProcessRuleCriteria.type":                        "enumeration",
	"FlowSubDetailRestriction.type":                           "enumeration (of what field_id and value_id restrict, inferred)",
	"CannedText.restriction_type":                             "enumeration: agent, team, department or everyone",
	"FieldInfo.type":                                          "field type enumeration",
	"FieldInfo.characterlimittype":                            "enumeration",
	"FieldInfo.database_lookup_input":                         "enumeration (inferred)",
	"FieldInfo.extratype":                                     "enumeration",
	"FieldInfo.hint_type":                                     "enumeration",
	"FieldInfo.inputtype":                                     "enumeration",
	"FieldInfo.load_type":                                     "enumeration",
	"FieldInfo.sql_connection_type":                           "enumeration",
	"FieldInfo.tab_columns":                                   "a number of columns",
	"FieldInfo.tab_sequence":                                  "position on the tab",
	"FieldInfo.table_data_entry_type":                         "enumeration",
	"FieldInfo.table_height":                                  "a height",
	"CustomFieldValidation.validationtype":                    "enumeration",
	"FieldGroup.endusernew":                                   "visibility enumeration",
	"FieldGroup.enduserdetail":                                "visibility enumeration",
	"FieldGroup.enduseraction":                                "visibility enumeration",
	"FieldGroup.technew":                                      "visibility enumeration",
	"FieldGroup.techdetail":                                   "visibility enumeration",
	"FieldGroup.techaction":                                   "visibility enumeration",
	"Autoassign.matched_rule_count":                           "a count of matches",
	"AutoassignOutcome.value_type_id":                         "value type enumeration",
	"Tabname.columns":                                         "a number of columns",
	"Tabname.tableid":                                         "which entity's tabs: enumeration (inferred)",
	"FaultToDo.group_seq":                                     "position within the group",
	"Holidays.approval_status":                                "enumeration",
	"Holidays.entity":                                         "enumeration: a workday's or an agent's holiday",
	"Holidays.holiday_type":                                   "enumeration",
	"Holidays.schedulehandledtype":                            "enumeration",
	"TStatus.type":                                            "status type enumeration (open, closed ...)",
	"TStatus.ticket_count":                                    "count of tickets",
	"TStatus.notifystatuschange":                              "flag",
	"TStatus.statusemailfreqdays":                             "number of days",
	"TStatus.useworkinghours_statusnochangehours":             "flag",
	// Beside statusnochangehours and statusnochangehourssection (hours, doubles):
	// the hours without a change before the manager is told, not an agent.
	"TStatus.statusnochangehoursmanager":                 "a number of hours (inferred from its neighbours)",
	"TStatus.useworkinghours_statusnochangehoursmanager": "flag",
	"TStatus.useworkinghours_statusnochangehourssection": "flag",
	"CategoryDetail.type_id":                             "which of the four category lists (1-4); part of the natural key",
	"CategoryDetail.itilrequesttype":                     "ITIL ticket type enumeration",
	"SlaHead.autoreleaselimit":                           "a time limit",
	"Policy.catprompt":                                   "flag",
	"TicketArea.allow_ticket_type_selection":             "flag",
	"TicketArea.area_use":                                "enumeration",
	"TicketArea.default_itil_ticket_type":                "ITIL ticket type enumeration",
	"TicketArea.selectservice":                           "flag",

	"TOutcome.apptcompletetimetype":          "enumeration",
	"TOutcome.azure_action":                  "enumeration of Azure actions",
	"TOutcome.colour_type":                   "enumeration",
	"TOutcome.config_type":                   "enumeration",
	"TOutcome.createchildticketortemplate":   "enumeration: ticket or template",
	"TOutcome.defaultcommunicationmethod":    "enumeration",
	"TOutcome.newactiondisplay":              "enumeration",
	"TOutcome.newactiondisplaysize":          "enumeration",
	"TOutcome.replytype":                     "enumeration",
	"TOutcome.respondtype":                   "enumeration",
	"TOutcome.sendemail":                     "enumeration: never, always, optional",
	"TOutcome.sendsurvey":                    "flag",
	"TOutcome.show_on_child":                 "flag",
	"TOutcome.show_on_parent":                "flag",
	"TOutcome.supplieremailintellisense":     "flag",
	"TOutcome.useremailintellisense":         "flag",
	"TOutcome.systemid":                      "number of Halo's built-in action, the same on every tenant",
	"TOutcome.tagreleasetype":                "enumeration",
	"TOutcome.update_parent_attachment_type": "enumeration",

	"RequestType.addactionstolinked":              "flag",
	"RequestType.agentresourcebookingtype":        "enumeration",
	"RequestType.alluserscanview":                 "flag",
	"RequestType.attendeesenduser":                "flag",
	"RequestType.auto_create_appt":                "flag",
	"RequestType.auto_forward_email_updates":      "flag",
	"RequestType.closedrequestreplylimit":         "a number of replies",
	"RequestType.closedrequestswithupdates":       "enumeration",
	"RequestType.completion_status_type":          "enumeration",
	"RequestType.default_kanban_view":             "enumeration of kanban views",
	"RequestType.default_servicenow_type":         "enumeration",
	"RequestType.default_soctargettype":           "enumeration",
	"RequestType.default_targetdate":              "enumeration or a number of days",
	"RequestType.defaultlisttype":                 "enumeration",
	"RequestType.ganttgrandchildview":             "flag",
	"RequestType.hide_anon_email":                 "flag",
	"RequestType.itilrequesttype":                 "ITIL ticket type enumeration",
	"RequestType.load_balance_max_tickets":        "a number of tickets",
	"RequestType.load_balance_schedule_frequency": "enumeration",
	"RequestType.max_open_per_user":               "a number of tickets",
	"RequestType.max_total_per_user":              "a number of tickets",
	"RequestType.pendingrequestreplylimit":        "a number of replies",
	"RequestType.pendingrequestswithupdates":      "enumeration",
	"RequestType.process_open_tickets":            "flag",
	"RequestType.project_type":                    "enumeration",
	"RequestType.show_child_tasks_type":           "enumeration",
	"RequestType.slack_channel_access_type":       "enumeration",
	"RequestType.tab_display":                     "enumeration",
	"RequestType.targetdate_validation":           "flag",
	"RequestType.targetdate_validation_days":      "a number of days",
	"RequestType.ticket_count":                    "count of tickets",
	"RequestType.ticketlinktype":                  "enumeration",

	"StdRequest.automationtype":               "enumeration",
	"StdRequest.creationtype":                 "enumeration",
	"StdRequest.excludefromsla_int":           "flag",
	"StdRequest.optional_excludefromsla":      "flag",
	"StdRequest.execution_type":               "enumeration",
	"StdRequest.increasecontractnextcalldate": "flag",
	"StdRequest.itil_request_type":            "ITIL ticket type enumeration",
	"StdRequest.optional_showforusers":        "flag",
	"StdRequest.showforusers_int":             "flag",
	"StdRequest.reportperiod":                 "enumeration",
	"StdRequest.rule_count":                   "count of creation rules",
	"StdRequest.scheduletype":                 "enumeration",
	"StdRequest.target_num_days_added":        "a number of days",
	"StdRequest.type":                         "enumeration",

	"AccessControl.type":                             "enumeration: which of agent, user, role, team, department",
	"CategoryRestriction.type":                       "enumeration",
	"Restriction.type":                               "enumeration of restriction kinds",
	"RequestTypeField.tableid":                       "enumeration: which table owns the row (rtid)",
	"RequestTypeField.display_type":                  "enumeration",
	"RequestTypeField.endusernew":                    "visibility enumeration",
	"RequestTypeField.enduserdetail":                 "visibility enumeration",
	"RequestTypeField.enduserdetailrejected":         "visibility enumeration",
	"RequestTypeField.enduseraction":                 "visibility enumeration",
	"RequestTypeField.technew":                       "visibility enumeration",
	"RequestTypeField.techdetail":                    "visibility enumeration",
	"RequestTypeField.techaction":                    "visibility enumeration",
	"RequestTypeField.technewlocation":               "position enumeration",
	"RequestTypeField.techtab_columns":               "a number of columns",
	"IntegrationFieldMapping.typeid":                 "field type enumeration",
	"IntegrationFieldMapping.subtypeid":              "field subtype enumeration",
	"IntegrationFieldMapping.synctype":               "enumeration",
	"IntegrationFieldMapping.product":                "enumeration of integration products",
	"IntegrationFieldMapping.third_party_field_type": "enumeration",
	"ViewFilterDetails.filter_type":                  "enumeration",
	"STDToDo.group_seq":                              "position within the group",
	"StdRequestRule.rule_type":                       "enumeration",
	"StdRequestRule.approvalstatus":                  "approval state enumeration",
	"StdRequestRule.field_value":                     "the value field_id is compared with",
	"AutoassignCriteria.type":                        "enumeration",
	"AutoassignCriteria.chatprofile_flow_seq":        "position in a chat flow",
	"MileStone._fromtemplate":                        "flag",
	"MileStone.target_days":                          "a number of days",
	"FlowDetail.stage_number":                        "position of the step's stage",
	"FlowDetail.steptype":                            "enumeration",
	"FlowDetail.auto_action":                         "flag: run auto_action_type automatically",
	"FlowDetail.newticket_type":                      "enumeration: what the step creates (newticket_tickettype_id or newticket_template_id)",
	"FlowDetail.chat_image_type":                     "enumeration",
	"WorkflowTarget.target_type":                     "enumeration",
	"FlowSubDetail.action_type":                      "enumeration",
	"FlowSubDetail.approval_result":                  "enumeration of approval results",
	"FlowSubDetail.automation_type":                  "enumeration",
	"FlowSubDetail.automation_execution_type":        "enumeration",
	"FlowSubDetail.chat_selection_order":             "position in a chat",
	"OutboundIntegrationMethodValue.data_type":       "enumeration",
	"OutboundIntegrationMethodValue.type":            "enumeration",
	"OutboundIntegrationMethodValue.step_seq":        "position within the step",
	"RequestTypeFieldRestriction.type":               "enumeration",
	"CustomFieldVisibility.conditiontype":            "enumeration",
	"CustomFieldVisibility.field_value":              "the value field_id is compared with",
}

// NotRef is a field named like a reference that the catalog holds is none.
type NotRef struct {
	Key    string // "Schema.path", as in notRefs
	Reason string
}

// UnverifiedNotRefs returns the fields classified as no reference from their
// name alone (a reason ending in "(inferred)"), sorted by key: what a
// tenant could contradict.
func UnverifiedNotRefs() []NotRef {
	var out []NotRef
	for key, reason := range notRefs {
		if strings.HasSuffix(reason, "(inferred)") {
			out = append(out, NotRef{key, reason})
		}
	}
	slices.SortFunc(out, func(a, b NotRef) int { return strings.Compare(a.Key, b.Key) })
	return out
}
