# A component is named by its name. The configured manifest is recorded
# by the first apply after the import.
import {
  to = proton_component.jobs_queue
  identity = {
    name = "jobs-queue"
  }
}
