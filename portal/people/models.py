"""ORM models of the people domain."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, query_expression, relationship

from portal.core.crypto import EncryptedText
from portal.core.db import Base, UTCDateTime, utcnow
from portal.core.enums import LabeledEnum
from portal.people.permissions import Permission, Role, has_permission


class User(Base):
    """A login account. `auth_version` changes on password reset or deactivation,
    which invalidates every session issued before."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    role: Mapped[str] = mapped_column(String(20), index=True)
    password_hash: Mapped[str | None] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(Boolean, default=True, index=True)
    must_change_password: Mapped[bool] = mapped_column(Boolean, default=False)
    auth_version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # TOTP (people.mfa): the shared secret, encrypted; enabled once the user proved a code.
    mfa_secret: Mapped[str | None] = mapped_column(EncryptedText("users.mfa_secret"))
    mfa_enabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # SHA-256 of each unused recovery code, comma-separated; a used code is removed.
    mfa_recovery_codes: Mapped[str | None] = mapped_column(String(1000))

    @property
    def mfa_enabled(self) -> bool:
        return self.mfa_enabled_at is not None

    @property
    def role_enum(self) -> Role:
        return Role(self.role)

    @property
    def role_label(self) -> str:
        return Role(self.role).label

    def can(self, permission: Permission) -> bool:
        return self.active and has_permission(self.role, permission)

    # Flask-Login protocol, kept here so the web layer needs no wrapper class.
    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        return f"{self.id}:{self.auth_version}"

    def __repr__(self) -> str:
        return f"<User {self.id} {self.role}>"


class UserSession(Base):
    """A signed-in browser session, kept on the server so logout and revocation really end
    it (the Flask cookie alone cannot be recalled). `id` is the SHA-256 of the random token
    the cookie carries, so the table never holds a usable token."""

    __tablename__ = "user_sessions"
    __table_args__ = (Index("ix_user_sessions_user_revoked", "user_id", "revoked_at"),)

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    ip: Mapped[str | None] = mapped_column(String(45))
    user_agent: Mapped[str | None] = mapped_column(String(255))
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class OrgKind(LabeledEnum):
    COMPANY = "company"
    REGIONAL = "regional"
    STORE = "store"
    TEAM = "team"
    SUB_CORRESPONDENT = "sub_correspondent"


ORG_KIND_LABELS = {
    OrgKind.COMPANY: "Empresa",
    OrgKind.REGIONAL: "Regional",
    OrgKind.STORE: "Loja",
    OrgKind.TEAM: "Equipe",
    OrgKind.SUB_CORRESPONDENT: "Substabelecido",
}
OrgKind.__labels__ = ORG_KIND_LABELS


class RoleGroup(LabeledEnum):
    """Commission group of a collaborator (docs/domain.md, "Commissions")."""

    AGENT = "agent"
    PARTNER = "partner"
    REFERRER = "referrer"
    EMPLOYEE = "employee"
    COUNTER = "counter"
    SUPERVISOR = "supervisor"
    MANAGER = "manager"


ROLE_GROUP_LABELS = {
    RoleGroup.AGENT: "Corretor",
    RoleGroup.PARTNER: "Parceiro",
    RoleGroup.REFERRER: "Indicador",
    RoleGroup.EMPLOYEE: "Funcionário",
    RoleGroup.COUNTER: "Balcão",
    RoleGroup.SUPERVISOR: "Supervisor",
    RoleGroup.MANAGER: "Gerente",
}
RoleGroup.__labels__ = ROLE_GROUP_LABELS


class OrgUnit(Base):
    """A node of the hierarchy: company (CNPJ) → regional → store → team, plus
    sub-correspondents (partner companies with their own CNPJ)."""

    __tablename__ = "org_units"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(20), index=True)
    name: Mapped[str] = mapped_column(String(120))
    cnpj: Mapped[str | None] = mapped_column(String(14), unique=True)  # company data, not personal
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("org_units.id"), index=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    cep: Mapped[str | None] = mapped_column(String(8))
    city: Mapped[str | None] = mapped_column(String(80))
    state: Mapped[str | None] = mapped_column(String(2))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    parent: Mapped[OrgUnit | None] = relationship(remote_side=[id])


class Collaborator(Base):
    """A person who works for the company (agent, partner, supervisor, ...).

    CPF and phone are encrypted at rest; `cpf_index` is the keyed blind index used for
    exact search and uniqueness.
    """

    __tablename__ = "collaborators"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), unique=True)
    name: Mapped[str] = mapped_column(String(120), index=True)
    cpf: Mapped[str] = mapped_column(EncryptedText("collaborators.cpf"))
    cpf_index: Mapped[str] = mapped_column(String(64), unique=True)
    email: Mapped[str | None] = mapped_column(String(254))
    phone: Mapped[str | None] = mapped_column(EncryptedText("collaborators.phone"))
    role_group: Mapped[str] = mapped_column(String(20), index=True)
    supervisor_id: Mapped[int | None] = mapped_column(ForeignKey("collaborators.id"), index=True)
    hired_on: Mapped[date | None] = mapped_column(Date)
    left_on: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20), default="active", index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped[User | None] = relationship()
    supervisor: Mapped[Collaborator | None] = relationship(remote_side=[id])
    certifications: Mapped[list[Certification]] = relationship(
        back_populates="collaborator", order_by="Certification.expires_on.desc()"
    )

    # Filled by the list query (people.collaborator_queries) in the same SELECT; else None.
    unit_name: Mapped[str | None] = query_expression()
    parent_unit_name: Mapped[str | None] = query_expression()
    best_expiry: Mapped[date | None] = query_expression()


class Membership(Base):
    """Effective-dated membership of a collaborator in an org unit.

    `valid_to` is exclusive and open-ended when NULL, so "who was in which team on a
    given day" stays answerable after people move.
    """

    __tablename__ = "org_memberships"
    __table_args__ = (Index("ix_org_memberships_collaborator_period", "collaborator_id", "valid_from"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    collaborator_id: Mapped[int] = mapped_column(ForeignKey("collaborators.id"))
    org_unit_id: Mapped[int] = mapped_column(ForeignKey("org_units.id"), index=True)
    valid_from: Mapped[date] = mapped_column(Date)
    valid_to: Mapped[date | None] = mapped_column(Date)

    collaborator: Mapped[Collaborator] = relationship()
    org_unit: Mapped[OrgUnit] = relationship()


class Certification(Base):
    """A certification exam passed by a collaborator (Res. CMN 4.935/2021).

    Valid from `issued_on` through `expires_on` (inclusive) unless revoked. The evidence
    file lives in the storage directory under `evidence_path` (a random name); its
    SHA-256, original name and sniffed content type are kept with it.
    """

    __tablename__ = "certifications"
    __table_args__ = (Index("ix_certifications_collaborator_expiry", "collaborator_id", "expires_on"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    collaborator_id: Mapped[int] = mapped_column(ForeignKey("collaborators.id"))
    issuer: Mapped[str] = mapped_column(String(20))
    number: Mapped[str] = mapped_column(String(60))
    issued_on: Mapped[date] = mapped_column(Date)
    expires_on: Mapped[date] = mapped_column(Date, index=True)
    evidence_path: Mapped[str | None] = mapped_column(String(200))
    evidence_sha256: Mapped[str | None] = mapped_column(String(64))
    evidence_filename: Mapped[str | None] = mapped_column(String(255))
    evidence_content_type: Mapped[str | None] = mapped_column(String(100))
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    collaborator: Mapped[Collaborator] = relationship(back_populates="certifications")


class OperatorCode(Base):
    """The code or login a bank knows a collaborator by (matches bank reports, signs
    submissions). `secret` (password/token) is encrypted and never shown again."""

    __tablename__ = "operator_codes"
    __table_args__ = (
        UniqueConstraint("collaborator_id", "bank_code"),
        UniqueConstraint("bank_code", "operator_code"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    collaborator_id: Mapped[int] = mapped_column(ForeignKey("collaborators.id"))
    bank_code: Mapped[str] = mapped_column(String(20))
    operator_code: Mapped[str] = mapped_column(String(60))
    secret: Mapped[str | None] = mapped_column(EncryptedText("operator_codes.secret"))
    secret_set_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    collaborator: Mapped[Collaborator] = relationship()
